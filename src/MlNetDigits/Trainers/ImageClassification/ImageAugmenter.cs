using MlNetDigits.Engine;

namespace MlNetDigits;

/// <summary>
/// Applies <see cref="ImageAugmentationOptions"/> to images (C, H, W) of raw pixels. The random draws of each image come
/// from its own <see cref="Rng"/> seeded by (seed, epoch, position in the epoch), so a batch can be augmented in parallel
/// and the result depends only on the seed, never on thread scheduling.
/// </summary>
public sealed class ImageAugmenter
{
    private readonly ImageAugmentationOptions _options;
    private readonly int _channels, _height, _width;
    private readonly float[] _kernel; // (2R+1): the normalised Gaussian for the elastic fields

    [ThreadStatic]
    private static Scratch? _scratch;

    public ImageAugmenter(ImageAugmentationOptions options, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Check();
        _options = options;
        (_channels, _height, _width) = (channels, height, width);
        int radius = Math.Max(1, (int)Math.Ceiling(3 * options.ElasticSigma));
        _kernel = new float[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++)
            sum += _kernel[i + radius] = (float)Math.Exp(-0.5 * i * i / (options.ElasticSigma * options.ElasticSigma));
        for (int i = 0; i < _kernel.Length; i++)
            _kernel[i] = (float)(_kernel[i] / sum);
    }

    /// <summary>The per-image seed for image <paramref name="position"/> of epoch <paramref name="epoch"/>.</summary>
    public static ulong SeedFor(int seed, int epoch, int position) =>
        Mix(Mix(Mix(0x5DEECE66DUL ^ (ulong)(uint)seed) ^ (ulong)(uint)epoch) ^ (ulong)(uint)position);

    /// <summary>
    /// Writes augmented copies of the images <paramref name="rows"/>[start .. start + count) of <paramref name="images"/>
    /// (N, C, H, W) into <paramref name="destination"/> (count, C, H, W), on up to <paramref name="threads"/> threads; image
    /// i is seeded by <see cref="SeedFor"/>(<paramref name="seed"/>, <paramref name="epoch"/>, start + i).
    /// </summary>
    public void Apply(float[] images, int[] rows, int start, int count, float[] destination, int seed, int epoch, int threads)
    {
        int size = _channels * _height * _width;
        if (destination.Length < count * size)
            throw new ArgumentException($"The destination holds {destination.Length} values; {count} images need {count * size}.", nameof(destination));
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) },
            i => ApplyOne(images.AsSpan(rows[start + i] * size, size), destination.AsSpan(i * size, size), SeedFor(seed, epoch, start + i)));
    }

    /// <summary>Augments one image (C, H, W) with the draws of <paramref name="seed"/>.</summary>
    public void ApplyOne(ReadOnlySpan<float> image, Span<float> output, ulong seed)
    {
        var rng = new Rng(seed);
        var o = _options;
        int h = _height, w = _width;
        // Inverse affine map: output pixel p (relative to the centre) reads source point M p + c - t.
        double m00 = 1, m01 = 0, m10 = 0, m11 = 1, tx = 0, ty = 0;
        if (o.Affine)
        {
            double angle = (rng.NextDouble() * 2 - 1) * o.RotationDegrees * Math.PI / 180;
            double scale = 1 + (rng.NextDouble() * 2 - 1) * o.Scale;
            double shear = Math.Tan((rng.NextDouble() * 2 - 1) * o.ShearDegrees * Math.PI / 180);
            tx = (rng.NextDouble() * 2 - 1) * o.Shift * w;
            ty = (rng.NextDouble() * 2 - 1) * o.Shift * h;
            // Forward map A = R(angle) * S(scale) * Shear; M = A^-1.
            double cos = Math.Cos(angle), sin = Math.Sin(angle);
            double a00 = scale * cos, a01 = scale * (cos * shear - sin), a10 = scale * sin, a11 = scale * (sin * shear + cos);
            double det = a00 * a11 - a01 * a10;
            (m00, m01, m10, m11) = (a11 / det, -a01 / det, -a10 / det, a00 / det);
        }
        bool elastic = o.Elastic && o.ElasticAlpha > 0 && rng.NextDouble() < o.ElasticProbability;
        var scratch = _scratch ??= new Scratch();
        var dx = scratch.Get(ref scratch.Dx, h * w);
        var dy = scratch.Get(ref scratch.Dy, h * w);
        if (elastic)
        {
            var tmp = scratch.Get(ref scratch.Tmp, h * w);
            for (int i = 0; i < h * w; i++)
                dx[i] = (float)(rng.NextDouble() * 2 - 1);
            for (int i = 0; i < h * w; i++)
                dy[i] = (float)(rng.NextDouble() * 2 - 1);
            Smooth(dx, tmp, (float)o.ElasticAlpha);
            Smooth(dy, tmp, (float)o.ElasticAlpha);
        }
        else
        {
            Array.Clear(dx, 0, h * w);
            Array.Clear(dy, 0, h * w);
        }

        double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                // The elastic field moves the sampling grid, then the inverse affine map finds the source point.
                double px = x + dx[y * w + x] - cx - tx, py = y + dy[y * w + x] - cy - ty;
                double sx = m00 * px + m01 * py + cx, sy = m10 * px + m11 * py + cy;
                for (int c = 0; c < _channels; c++)
                    output[(c * h + y) * w + x] = Bilinear(image.Slice(c * h * w, h * w), sx, sy);
            }
        }
    }

    private float Bilinear(ReadOnlySpan<float> plane, double sx, double sy)
    {
        int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
        float fx = (float)(sx - x0), fy = (float)(sy - y0);
        float v00 = Pixel(plane, x0, y0), v01 = Pixel(plane, x0 + 1, y0), v10 = Pixel(plane, x0, y0 + 1), v11 = Pixel(plane, x0 + 1, y0 + 1);
        return (v00 * (1 - fx) + v01 * fx) * (1 - fy) + (v10 * (1 - fx) + v11 * fx) * fy;
    }

    private float Pixel(ReadOnlySpan<float> plane, int x, int y) =>
        (uint)x < (uint)_width && (uint)y < (uint)_height ? plane[y * _width + x] : 0f;

    // field (H, W) = alpha * Gaussian(field), separably: rows into tmp, then columns back (zero outside).
    private void Smooth(float[] field, float[] tmp, float alpha)
    {
        int h = _height, w = _width, r = _kernel.Length / 2;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float s = 0;
                for (int k = Math.Max(-r, -x); k <= Math.Min(r, w - 1 - x); k++)
                    s += _kernel[k + r] * field[y * w + x + k];
                tmp[y * w + x] = s;
            }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float s = 0;
                for (int k = Math.Max(-r, -y); k <= Math.Min(r, h - 1 - y); k++)
                    s += _kernel[k + r] * tmp[(y + k) * w + x];
                field[y * w + x] = alpha * s;
            }
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private sealed class Scratch
    {
        public float[]? Dx, Dy, Tmp;

        public float[] Get(ref float[]? buffer, int length) => buffer is { } b && b.Length >= length ? b : buffer = new float[length];
    }
}
