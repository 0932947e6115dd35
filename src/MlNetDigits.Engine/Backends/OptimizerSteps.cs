namespace MlNetDigits.Engine.Backends;

/// <summary>
/// One SGD step's scalars (see <see cref="Optim.Sgd"/>): d = g + wd * p; with momentum b = first ? d : keep * b + take * d
/// and d = nesterov ? d + look * b : b; p += negLr * d.
/// </summary>
public readonly record struct SgdStep(float NegativeLearningRate, float WeightDecay, bool WithMomentum, bool FirstMomentumStep,
    float Keep, float Take, bool Nesterov, float Look);

/// <summary>
/// One step's scalars of the Adam family's shared rule (see <see cref="Optim.AdamFamily"/>): g += l2 * p; p *= decay;
/// m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g^2; d = sqrt(v^) / sqrtBias2 + eps;
/// p += gradScale * g / d (when not 0) + momentScale * m / d.
/// </summary>
public readonly record struct AdamStep(float L2, float Decay, float GradScale, float MomentScale, float Beta1, float OneMinusBeta1,
    float Beta2, float OneMinusBeta2, float SqrtBias2, float Epsilon);

/// <summary>
/// One Adadelta step's scalars (see <see cref="Optim.Adadelta"/>): g += wd * p; s = rho s + (1 - rho) g^2;
/// delta = sqrt(a + eps) / sqrt(s + eps) * g; a = rho a + (1 - rho) delta^2; p += negLr * delta.
/// </summary>
public readonly record struct AdadeltaStep(float WeightDecay, float Rho, float OneMinusRho, float Epsilon, float NegativeLearningRate);
