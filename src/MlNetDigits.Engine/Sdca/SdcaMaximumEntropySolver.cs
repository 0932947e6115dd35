using System.Diagnostics;
using System.Numerics.Tensors;

namespace MlNetDigits.Engine.Sdca;

/// <summary>
/// Stochastic Dual Coordinate Ascent (Shalev-Shwartz &amp; Zhang, 2013) for the multiclass maximum-entropy objective,
/// in ML.NET's formulation (<see cref="SdcaLoss.PairwiseLogistic"/>):
/// P(W, b) = 1/n sum_i u_i sum_{c != y_i} log(1 + exp(-(s_{i,y_i} - s_{i,c}))) + lambda/2 (|W|^2 + |b_reg|^2)
///           + t lambda (|W|_1 + |b_reg|_1), with s_i = W x_i + b_reg + b_unreg and u_i the example weight,
/// or (<see cref="SdcaLoss.Softmax"/>) with the loss log sum_c exp(s_{i,c}) - s_{i,y_i} in place of the pairwise sum.
/// Pairwise: one dual variable per (example, other class), each maximised exactly in turn (see DualStep). Softmax: one
/// dual vector per example, alpha_i = e_{y_i} - q_i with q_i a probability vector, maximised exactly (see SoftmaxDual).
/// The weights are
/// W = softThreshold(v, t) with v = 1/(lambda n) sum_i alpha_i x_i, the form training keeps and scores through (the
/// threshold is applied as the weights are read). The weights of the lowest primal loss seen at a convergence check are
/// returned.
/// </summary>
public static class SdcaMaximumEntropySolver
{
    /// <summary>
    /// Solves the problem for examples <paramref name="x"/> with classes <paramref name="labels"/> (0..classCount-1),
    /// weighted by <paramref name="exampleWeights"/> (null: all 1); <paramref name="onEpoch"/> is called after every epoch
    /// on the calling thread.
    /// </summary>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> fires; nothing is returned.</exception>
    public static SdcaModel Solve(SparseRows x, int[] labels, int classCount, float[]? exampleWeights, SdcaSettings settings,
        Action<SdcaEpoch>? onEpoch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(settings);
        if (labels.Length != x.Count)
            throw new ArgumentException($"There are {x.Count} examples but {labels.Length} labels.", nameof(labels));
        if (exampleWeights is not null && exampleWeights.Length != x.Count)
            throw new ArgumentException($"There are {x.Count} examples but {exampleWeights.Length} weights.", nameof(exampleWeights));
        if (x.Count == 0)
            throw new ArgumentException("SDCA needs at least one example.", nameof(x));
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        if (!(settings.L2Regularization > 0))
            throw new ArgumentOutOfRangeException(nameof(settings), settings.L2Regularization, "L2Regularization must be positive.");
        if (!(settings.L1Threshold >= 0))
            throw new ArgumentOutOfRangeException(nameof(settings), settings.L1Threshold, "L1Threshold must be 0 or positive.");
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.MaximumNumberOfIterations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.NumberOfThreads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.SyncInterval, 1);
        foreach (var label in labels)
            if ((uint)label >= (uint)classCount)
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"Labels must lie in 0..{classCount - 1}.");
        return new Run(x, labels, classCount, exampleWeights, settings).Solve(onEpoch, cancellationToken);
    }

    /// <summary>The learned parameters, feature-major: w (features, stride), biases (stride).</summary>
    private sealed class Parameters
    {
        public Parameters(int features, int stride, bool l1)
        {
            W = new float[features * stride];
            BiasReg = new float[stride];
            BiasV = l1 ? new float[stride] : null;
            BiasUnreg = new float[stride];
        }

        public float[] W { get; }            // (features, stride): the weights; with L1, v, the weights before the soft threshold
        public float[] BiasReg { get; }      // (stride), regularised bias
        public float[]? BiasV { get; }       // (stride), regularised bias before the soft threshold (L1 only)
        public float[] BiasUnreg { get; }    // (stride), unregularised bias

        public void CopyFrom(Parameters other)
        {
            other.W.CopyTo(W, 0);
            other.BiasReg.CopyTo(BiasReg, 0);
            other.BiasV?.CopyTo(BiasV!, 0);
            other.BiasUnreg.CopyTo(BiasUnreg, 0);
        }
    }

    /// <summary>Per-thread buffers for one example.</summary>
    private sealed class Scratch(int stride)
    {
        public float[] Bias { get; } = new float[stride];          // (stride) b_reg + b_unreg
        public float[] Scores { get; } = new float[stride];        // (stride)
        public float[] Coefficients { get; } = new float[stride];  // (stride) per-class primal step
        public double[] Previous { get; } = new double[stride];    // (stride) softmax: q before the step
        public double[] Next { get; } = new double[stride];        // (stride) softmax: q after the step
        public double[] LogNext { get; } = new double[stride];     // (stride) softmax: ln q during the step
    }

    private sealed class Run
    {
        private const int CheckChunk = 2048;

        private readonly SparseRows _x;
        private readonly int[] _labels;
        private readonly float[]? _exampleWeights;
        private readonly SdcaSettings _settings;
        private readonly int _n;
        private readonly int _d;
        private readonly int _k;
        private readonly int _stride;
        private readonly int _threads;
        private readonly float _lambdaNInv;
        private readonly float _l1;
        private readonly float _biasRate;
        private readonly bool _softmax;
        private readonly float[] _duals;          // (n, classes): alpha_{i,c}; pairwise: the label's entry holds -sum of the others; softmax: e_y - q_i
        private readonly float[] _normSquared;    // (n): |x_i|^2 + 1 (the bias's constant feature)
        private readonly float[] _invariants;     // (n): 1 / max(1, 1/4 + 2 u_i |x_i|^2 / (lambda n))
        private readonly Parameters _global;
        private readonly float[] _effective;      // (features, stride): the weights after the soft threshold (is _global.W without L1)
        private readonly Scratch[] _scratch;      // one per thread
        private readonly Parameters[]? _locals;   // one per thread, deterministic multi-thread scheme only

        public Run(SparseRows x, int[] labels, int classCount, float[]? exampleWeights, SdcaSettings settings)
        {
            _x = x;
            _labels = labels;
            _exampleWeights = exampleWeights;
            _settings = settings;
            _n = x.Count;
            _d = x.FeatureCount;
            _k = classCount;
            _stride = LinearKernels.StrideFor(classCount);
            _threads = Math.Min(settings.NumberOfThreads, _n);
            _lambdaNInv = 1f / (settings.L2Regularization * _n);
            _l1 = settings.L1Threshold;
            _biasRate = settings.BiasLearningRate * settings.L2Regularization;
            _softmax = settings.Loss == SdcaLoss.Softmax;
            if (_softmax && _biasRate != 0)
                throw new ArgumentOutOfRangeException(nameof(settings), settings.BiasLearningRate,
                    "BiasLearningRate must be 0 with the softmax loss: the unregularised bias is only available with the pairwise (ML.NET) loss.");
            _duals = new float[(long)_n * _k <= Array.MaxLength ? _n * _k : throw new ArgumentException("Too many examples times classes for one dual array.")];
            _normSquared = new float[_n];
            _invariants = new float[_n];
            for (int i = 0; i < _n; i++)
            {
                var values = x.RowValues(i);
                var norm = TensorPrimitives.Dot(values, values) + 1f;
                _normSquared[i] = norm;
                _invariants[i] = 1f / Math.Max(1f, 0.25f + 2f * norm * _lambdaNInv * Weight(i));
            }
            _global = new Parameters(_d, _stride, _l1 > 0);
            _effective = _l1 > 0 ? new float[_d * _stride] : _global.W;
            _scratch = new Scratch[_threads];
            for (int t = 0; t < _threads; t++)
                _scratch[t] = new Scratch(_stride);
            if (_threads > 1 && settings.Deterministic)
            {
                _locals = new Parameters[_threads];
                for (int t = 0; t < _threads; t++)
                    _locals[t] = new Parameters(_d, _stride, _l1 > 0);
            }
        }

        public SdcaModel Solve(Action<SdcaEpoch>? onEpoch, CancellationToken cancellationToken)
        {
            var watch = Stopwatch.StartNew();
            var random = new Random(_settings.Seed);
            var order = new int[_n];
            for (int i = 0; i < _n; i++)
                order[i] = i;
            var bestW = new float[_d * _stride];
            var bestBias = new float[_stride];
            double bestPrimal = double.PositiveInfinity, bestGap = double.PositiveInfinity;
            int bestEpoch = 0, epoch = 0;
            bool converged = false;
            var total = _settings.MaximumNumberOfIterations;
            while (epoch < total && !converged)
            {
                cancellationToken.ThrowIfCancellationRequested();
                epoch++;
                if (_settings.Shuffle)
                    random.Shuffle(order);
                if (_threads == 1)
                    RunSequential(order, cancellationToken);
                else if (_locals is not null)
                    RunBlocked(order, cancellationToken);
                else
                    RunHogwild(order, cancellationToken);

                var frequency = _settings.ConvergenceCheckFrequency;
                double? primal = null, dual = null;
                if ((frequency > 0 && epoch % frequency == 0) || epoch == total)
                {
                    (var p, var q) = Objectives(cancellationToken);
                    primal = p;
                    dual = q;
                    var gap = p - q;
                    if (p < bestPrimal)
                    {
                        bestPrimal = p;
                        bestGap = gap;
                        bestEpoch = epoch;
                        _effective.CopyTo(bestW, 0);
                        TensorPrimitives.Add(_global.BiasReg, _global.BiasUnreg, bestBias);
                    }
                    converged = gap <= _settings.ConvergenceTolerance * p;
                }
                onEpoch?.Invoke(new SdcaEpoch(epoch, total, watch.Elapsed, primal, dual));
            }
            cancellationToken.ThrowIfCancellationRequested();

            // Back to class-major (classes, features).
            var weights = new float[_k * _d];
            for (int j = 0; j < _d; j++)
                for (int c = 0; c < _k; c++)
                    weights[c * _d + j] = bestW[j * _stride + c];
            return new SdcaModel(weights, bestBias.AsSpan(0, _k).ToArray(), epoch, bestEpoch, converged, bestPrimal, bestGap);
        }

        private float Weight(int i) => _exampleWeights?[i] ?? 1f;

        private void RunSequential(int[] order, CancellationToken cancellationToken)
        {
            for (int start = 0; start < order.Length; start += 1024)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var end = Math.Min(order.Length, start + 1024);
                for (int r = start; r < end; r++)
                    Step(order[r], _global, _scratch[0], 1f, 1f);
            }
        }

        /// <summary>
        /// The deterministic multi-thread epoch: the epoch's order is cut into one fixed slice per thread; in each round every
        /// thread updates a private copy of the parameters from the next <see cref="SdcaSettings.SyncInterval"/> examples of
        /// its slice, then the copies' changes are added to the shared parameters in thread order. No result depends on
        /// which thread runs first.
        /// </summary>
        private void RunBlocked(int[] order, CancellationToken cancellationToken)
        {
            var locals = _locals!;
            int sync = _settings.SyncInterval;
            int sliceLength = (_n + _threads - 1) / _threads;
            int rounds = (sliceLength + sync - 1) / sync;
            var options = new ParallelOptions { MaxDegreeOfParallelism = _threads };
            for (int round = 0; round < rounds; round++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var r = round;
                Parallel.For(0, _threads, options, t =>
                {
                    var local = locals[t];
                    local.CopyFrom(_global);
                    int sliceStart = t * sliceLength, sliceEnd = Math.Min(_n, sliceStart + sliceLength);
                    int start = sliceStart + r * sync, end = Math.Min(sliceEnd, start + sync);
                    for (int p = start; p < end; p++)
                        Step(order[p], local, _scratch[t], _threads, _threads);
                });
                Merge(locals);
            }
        }

        /// <summary>shared += sum_t (local_t - shared) / threads, summed in thread order; with L1, w is re-thresholded from v.</summary>
        private void Merge(Parameters[] locals)
        {
            MergeArray(_global.W, locals, p => p.W);
            MergeArray(_global.BiasV ?? _global.BiasReg, locals, p => p.BiasV ?? p.BiasReg);
            MergeArray(_global.BiasUnreg, locals, p => p.BiasUnreg);
            if (_global.BiasV is not null)
                LinearKernels.SoftThreshold(_global.BiasV, _l1, _global.BiasReg);
        }

        private static void MergeArray(float[] shared, Parameters[] locals, Func<Parameters, float[]> select)
        {
            // Each private copy applied its updates times the thread count (see Step), so its change is divided back.
            float scale = 1f / locals.Length;
            foreach (var local in locals)
            {
                TensorPrimitives.Subtract(select(local), shared, select(local));
                TensorPrimitives.Multiply(select(local), scale, select(local));
            }
            foreach (var local in locals)
                TensorPrimitives.Add(shared, select(local), shared);
        }

        /// <summary>ML.NET's lock-free multi-thread epoch: every thread updates the shared parameters directly.</summary>
        private void RunHogwild(int[] order, CancellationToken cancellationToken)
        {
            int sliceLength = (_n + _threads - 1) / _threads;
            var options = new ParallelOptions { MaxDegreeOfParallelism = _threads, CancellationToken = cancellationToken };
            Parallel.For(0, _threads, options, t =>
            {
                int end = Math.Min(_n, (t + 1) * sliceLength);
                for (int p = t * sliceLength; p < end; p++)
                {
                    if ((p & 1023) == 0)
                        cancellationToken.ThrowIfCancellationRequested();
                    Step(order[p], _global, _scratch[t], _threads, 1f);
                }
            });
        }

        /// <summary>
        /// One SDCA step on example <paramref name="i"/>: every (i, c != y) dual variable, then one rank-one weight update.
        /// With several threads each step is solved as if the margin moved <paramref name="safety"/> times as far (CoCoA+'s
        /// sigma' = threads), which keeps the threads' summed updates from overshooting; <paramref name="applied"/> scales the
        /// update written to <paramref name="p"/> (a private copy in the blocked scheme, whose change is divided back at merge).
        /// </summary>
        private void Step(int i, Parameters p, Scratch scratch, float safety, float applied)
        {
            if (_softmax)
            {
                SoftmaxStep(i, p, scratch, safety, applied);
                return;
            }
            var indices = _x.RowIndices(i);
            var values = _x.RowValues(i);
            var scores = scratch.Scores;
            var coefficients = scratch.Coefficients;
            Score(indices, values, p, scratch);

            int y = _labels[i];
            int dualBase = i * _k;
            float weight = Weight(i), norm = _normSquared[i], invariant = _invariants[i];
            float step = _lambdaNInv * weight;
            float curvature = 2f * norm * step * safety; // how much the margin moves per unit of dual step
            float labelScore = scores[y];
            float labelPrimal = 0, labelDual = 0, labelAdjustment = 0;
            for (int c = 0; c < _k; c++)
            {
                if (c == y)
                    continue;
                float dual = _duals[dualBase + c];
                // The margin s_y - s_c, with the label's pending update already counted.
                float margin = labelScore + labelPrimal * applied * norm - scores[c];
                float update = DualStep(dual, margin, curvature, invariant);
                // Successive over-relaxation moving the regularised bias into the unregularised one (ML.NET's scheme).
                float adjustment = _biasRate * (p.BiasV ?? p.BiasReg)[c];
                update -= adjustment;
                _duals[dualBase + c] = dual + update;
                float primal = update * step;
                labelDual -= dual + update;
                labelPrimal += primal;
                p.BiasUnreg[c] += adjustment * step * applied;
                labelAdjustment -= adjustment;
                coefficients[c] = -primal * applied;
                AddToBias(p, c, -primal * applied);
            }
            _duals[dualBase + y] = labelDual;
            p.BiasUnreg[y] += labelAdjustment * step * applied;
            coefficients[y] = labelPrimal * applied;
            AddToBias(p, y, labelPrimal * applied);

            LinearKernels.AddOuter(indices, values, coefficients, p.W);
        }

        /// <summary>scratch.Scores = the example's scores under <paramref name="p"/> (through the soft threshold with L1).</summary>
        private void Score(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, Parameters p, Scratch scratch)
        {
            TensorPrimitives.Add(p.BiasReg, p.BiasUnreg, scratch.Bias);
            if (_l1 > 0)
                LinearKernels.ScoresSoftThreshold(indices, values, p.W, _l1, scratch.Bias, scratch.Scores);
            else
                LinearKernels.Scores(indices, values, p.W, scratch.Bias, scratch.Scores);
        }

        /// <summary>
        /// One SDCA step on example <paramref name="i"/> for the softmax loss: its dual vector alpha_i = e_y - q is moved to
        /// the exact maximiser of the dual along it (see SoftmaxDual), then one rank-one weight update.
        /// <paramref name="safety"/> and <paramref name="applied"/> as in <see cref="Step"/>.
        /// </summary>
        private void SoftmaxStep(int i, Parameters p, Scratch scratch, float safety, float applied)
        {
            var indices = _x.RowIndices(i);
            var values = _x.RowValues(i);
            var scores = scratch.Scores;
            var coefficients = scratch.Coefficients;
            Score(indices, values, p, scratch);

            int y = _labels[i];
            var duals = _duals.AsSpan(i * _k, _k);
            float step = _lambdaNInv * Weight(i);
            var previous = scratch.Previous;
            var next = scratch.Next;
            for (int c = 0; c < _k; c++)
                previous[c] = (c == y ? 1.0 : 0.0) - duals[c];
            SoftmaxDual.Solve(scores.AsSpan(0, _k), previous.AsSpan(0, _k), _normSquared[i] * step * safety, next, scratch.LogNext);
            for (int c = 0; c < _k; c++)
            {
                // alpha changes by q_old - q_new; W_c and b_c by step times that change.
                float change = (float)(previous[c] - next[c]);
                duals[c] += change;
                float delta = change * step * applied;
                coefficients[c] = delta;
                AddToBias(p, c, delta);
            }
            LinearKernels.AddOuter(indices, values, coefficients, p.W);
        }

        /// <summary>
        /// The exact coordinate maximisation of the dual for one (example, class) variable: the new value a in (0, 1) solves
        /// ln((1 - a) / a) = margin + curvature * (a - dual). The root lies between the old value and 1/(1 + e^margin) (the
        /// answers for curvature -> infinity and 0); safeguarded Newton steps start from ML.NET's closed-form step
        /// (1/(1 + e^margin) - dual) * invariant, which alone is conservative (about 1/curvature of the move).
        /// </summary>
        private static float DualStep(float dual, float margin, float curvature, float invariant)
        {
            float target = 1f / (1f + MathF.Exp(margin));
            float lo = Math.Clamp(Math.Min(dual, target), 1e-7f, 1 - 1e-7f);
            float hi = Math.Clamp(Math.Max(dual, target), 1e-7f, 1 - 1e-7f);
            float a = Math.Clamp(dual + (target - dual) * invariant, lo, hi);
            for (int iteration = 0; iteration < 8 && hi - lo > 1e-7f; iteration++)
            {
                // f(a) = ln((1-a)/a) - margin - q (a - dual) decreases on (0, 1).
                float f = MathF.Log((1 - a) / a) - margin - curvature * (a - dual);
                if (f > 0)
                    lo = a;
                else
                    hi = a;
                float next = a + f / (1 / (a * (1 - a)) + curvature);
                if (!(next > lo && next < hi))
                    next = 0.5f * (lo + hi);
                bool done = Math.Abs(next - a) <= 1e-5f * a;
                a = next;
                if (done)
                    break;
            }
            return a - dual;
        }

        private void AddToBias(Parameters p, int c, float delta)
        {
            if (p.BiasV is null)
            {
                p.BiasReg[c] += delta;
            }
            else
            {
                p.BiasV[c] += delta;
                p.BiasReg[c] = LinearKernels.SoftThreshold(p.BiasV[c], _l1);
            }
        }

        /// <summary>
        /// The primal and dual objectives of the shared parameters. Rows are summed in fixed chunks whose partial sums are
        /// added in chunk order, so the figures do not depend on the thread count, and the check uses every core whatever
        /// the training's thread count (the training threads are idle while it runs).
        /// </summary>
        private (double Primal, double Dual) Objectives(CancellationToken cancellationToken)
        {
            int chunks = (_n + CheckChunk - 1) / CheckChunk;
            var loss = new double[chunks];
            var dualLoss = new double[chunks];
            var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(_threads, Environment.ProcessorCount), CancellationToken = cancellationToken };
            var bias = new float[_stride];
            TensorPrimitives.Add(_global.BiasReg, _global.BiasUnreg, bias);
            if (_l1 > 0)
                LinearKernels.SoftThreshold(_global.W, _l1, _effective);
            Parallel.For(0, chunks, options, chunk =>
            {
                var scores = new float[_stride];
                double lossSum = 0, dualSum = 0;
                int end = Math.Min(_n, (chunk + 1) * CheckChunk);
                for (int i = chunk * CheckChunk; i < end; i++)
                {
                    LinearKernels.Scores(_x.RowIndices(i), _x.RowValues(i), _effective, bias, scores);
                    int y = _labels[i];
                    double rowLoss = 0, rowDual = 0;
                    if (_softmax)
                    {
                        double top = double.NegativeInfinity, sum = 0;
                        for (int c = 0; c < _k; c++)
                            top = Math.Max(top, scores[c]);
                        for (int c = 0; c < _k; c++)
                        {
                            sum += Math.Exp((double)scores[c] - top);
                            double q = (c == y ? 1.0 : 0.0) - _duals[i * _k + c];
                            rowDual += q > 0 ? -q * Math.Log(q) : q < -1e-6 ? double.NegativeInfinity : 0;
                        }
                        rowLoss = top + Math.Log(sum) - scores[y];
                    }
                    else
                    {
                        for (int c = 0; c < _k; c++)
                        {
                            if (c == y)
                                continue;
                            rowLoss += Softplus((double)scores[c] - scores[y]);
                            rowDual += Entropy(_duals[i * _k + c]);
                        }
                    }
                    double weight = Weight(i);
                    lossSum += rowLoss * weight;
                    dualSum += rowDual * weight;
                }
                loss[chunk] = lossSum;
                dualLoss[chunk] = dualSum;
            });

            double squared = 0, absolute = 0, biasCross = 0;
            foreach (var w in _effective)
            {
                squared += (double)w * w;
                absolute += Math.Abs(w);
            }
            for (int c = 0; c < _k; c++)
            {
                double b = _global.BiasReg[c];
                squared += b * b;
                absolute += Math.Abs(b);
                biasCross += b * _global.BiasUnreg[c];
            }
            double lambda = _settings.L2Regularization;
            double l2Term = 0.5 * lambda * squared;
            double primal = loss.Sum() / _n + l2Term + _l1 * lambda * absolute;
            double dual = dualLoss.Sum() / _n - l2Term - lambda * biasCross;
            return (primal, dual);
        }

        /// <summary>log(1 + exp(z)), without overflow.</summary>
        private static double Softplus(double z) => z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z));

        /// <summary>The logistic loss's dual term: the entropy -a ln a - (1-a) ln(1-a), or -infinity outside [0, 1].</summary>
        private static double Entropy(double a)
        {
            if (a < 0 || a > 1)
                return double.NegativeInfinity;
            double h = 0;
            if (a > 0)
                h -= a * Math.Log(a);
            if (a < 1)
                h -= (1 - a) * Math.Log(1 - a);
            return h;
        }
    }
}
