namespace MlNetDigits;

/// <summary>
/// On-the-fly training augmentation (never applied at prediction time): a random affine map (rotation, scale, shift,
/// shear) and an elastic distortion (Simard, Steinkraus &amp; Platt, 2003), both sampled bilinearly with zero (background)
/// outside the image. Each part has an on/off switch; <c>Options.Augmentation = null</c> turns everything off.
/// </summary>
public sealed record ImageAugmentationOptions
{
    /// <summary>Apply the random affine map.</summary>
    public bool Affine { get; init; } = true;

    /// <summary>Rotation angle drawn uniformly from [-this, this] degrees.</summary>
    public double RotationDegrees { get; init; } = 10;

    /// <summary>Scale factor drawn uniformly from [1 - this, 1 + this] (the same in both axes).</summary>
    public double Scale { get; init; } = 0.1;

    /// <summary>Shift drawn uniformly from [-this, this] as a fraction of the width (x) and height (y).</summary>
    public double Shift { get; init; } = 0.08;

    /// <summary>Horizontal shear angle drawn uniformly from [-this, this] degrees.</summary>
    public double ShearDegrees { get; init; } = 8;

    /// <summary>Apply an elastic distortion.</summary>
    public bool Elastic { get; init; } = true;

    /// <summary>The share of images that get the elastic distortion (0..1).</summary>
    public double ElasticProbability { get; init; } = 0.5;

    /// <summary>Displacement scale alpha in pixels: uniform [-1, 1] fields smoothed by the Gaussian, times alpha.</summary>
    public double ElasticAlpha { get; init; } = 34;

    /// <summary>The Gaussian's standard deviation sigma in pixels (Simard et al. used 4 on MNIST).</summary>
    public double ElasticSigma { get; init; } = 4;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first out-of-range setting.</summary>
    public void Check()
    {
        static void Range(double value, double min, double max, string name)
        {
            if (!(value >= min && value <= max))
                throw new ArgumentOutOfRangeException(name, value, $"Augmentation {name} must be in [{min}, {max}].");
        }
        Range(RotationDegrees, 0, 180, nameof(RotationDegrees));
        Range(Scale, 0, 0.9, nameof(Scale));
        Range(Shift, 0, 1, nameof(Shift));
        Range(ShearDegrees, 0, 60, nameof(ShearDegrees));
        Range(ElasticProbability, 0, 1, nameof(ElasticProbability));
        Range(ElasticAlpha, 0, 1000, nameof(ElasticAlpha));
        Range(ElasticSigma, 0.1, 100, nameof(ElasticSigma));
    }
}
