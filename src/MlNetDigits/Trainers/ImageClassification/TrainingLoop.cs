using System.Diagnostics;
using System.Text.Json;
using MlNetDigits.Engine;
using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Losses;
using MlNetDigits.Engine.Optim;

namespace MlNetDigits;

/// <summary>
/// Validation images, raw, with their classes 0..K-1: an array of their own, or the held-out rows of the training data
/// (read in place rather than copied).
/// </summary>
internal sealed record ValidationImages(OodFitting.Images Images, int[] Labels);

/// <summary>
/// What a training run produced: the network (evaluation mode), how it got there, and the final network's validation
/// logits (N, K) when there are validation images.
/// </summary>
internal sealed record TrainingResult(Sequential Network, IReadOnlyList<ImageClassificationEpoch> History, CalibrationResult? Calibration,
    int BestEpoch, bool StoppedEarly, float[]? ValidationLogits);

/// <summary>
/// One CNN training run from start to end, in the order it happens: build the network, optimizer, schedule and loss;
/// resume from a checkpoint if asked; then for each epoch, for each batch: fill (augment, normalise) → forward → loss →
/// backward → clip → step; after each epoch validate, update early stopping, write a checkpoint; at the end put back the
/// best weights and fit the temperature (then, on request, the out-of-distribution statistics: <see cref="FitOod"/>).
/// Every buffer of the inner loop is allocated once. The same settings (seed and thread count included) on the same
/// machine give the same weights, bit for bit.
/// </summary>
internal sealed class TrainingLoop
{
    private readonly ImageClassificationSettings _s;
    private readonly ImageExamples _data;
    private readonly int[] _trainRows;             // indices into _data of the training images, in file order
    private readonly ValidationImages? _validation;
    private readonly int _classes, _imageSize, _plane, _channels;
    private readonly Rng _rng;                      // initialisation, then dropout masks
    private readonly Sequential _net;
    private readonly Optimizer _optimizer;
    private readonly LearningRateScheduler _scheduler;
    private readonly bool _schedulePerBatch;        // one-cycle and cosine step per batch; step and exponential per epoch
    private readonly SoftmaxCrossEntropy _loss;
    private readonly ImageAugmenter? _augmenter;
    private readonly float[] _scale, _shift;        // (C): x' = x * scale[c] + shift[c]
    private readonly Action<TrainingProgress> _report;
    private readonly int _progressInterval;         // batches between reports (0: per epoch only)
    private readonly CancellationToken _cancellation;
    private readonly Stopwatch _clock;
    private readonly List<ImageClassificationEpoch> _history = [];
    private Dictionary<string, Tensor>? _bestWeights;
    private double? _bestMetric;
    private int _epoch, _bestEpoch;
    private bool _stopped;
    private float[]? _augmented;                    // (BatchSize, C, H, W), when augmenting
    private float[]? _probabilities;                // (BatchSize, K): the softmax copied from a device backend

    public TrainingLoop(ImageClassificationSettings settings, NetworkSpec spec, IKernels kernels, ImageExamples data, int[] trainRows,
        ValidationImages? validation, Action<TrainingProgress> report, int progressInterval, CancellationToken cancellation, Stopwatch clock,
        IReadOnlyDictionary<string, Tensor>? initialWeights = null)
    {
        _s = settings;
        _data = data;
        _trainRows = trainRows;
        _validation = validation;
        _classes = data.ClassCount;
        _imageSize = data.ImageSize;
        _channels = data.Shape.C;
        _plane = data.Shape.H * data.Shape.W;
        _report = report;
        _progressInterval = progressInterval;
        _cancellation = cancellation;
        _clock = clock;

        _rng = new Rng((ulong)(uint)settings.Seed);
        _net = spec.Build(_rng);
        if (initialWeights is not null)
            _net.LoadStateDict(initialWeights); // fine-tuning: the drawn initial weights are replaced, the generator has moved on the same way
        _net.Kernels = kernels;
        _optimizer = OptimizerFactory.Create(settings.Optimizer, _net.Parameters, new OptimizerOptions
        {
            LearningRate = settings.LearningRate,
            Momentum = settings.Momentum,
            Nesterov = settings.Nesterov,
            Beta1 = settings.Beta1,
            Beta2 = settings.Beta2,
            Epsilon = settings.Epsilon,
            WeightDecay = settings.WeightDecay,
        });
        // A last batch of one image is dropped: batch norm cannot normalise a single image.
        int batches = trainRows.Length / settings.BatchSize + (trainRows.Length % settings.BatchSize > 1 ? 1 : 0);
        BatchesPerEpoch = Math.Max(1, batches);
        var kind = LearningRateSchedulerFactory.ParseKind(settings.LearningRateSchedule);
        _schedulePerBatch = kind is LearningRateSchedulerKind.OneCycle or LearningRateSchedulerKind.Cosine;
        int totalSteps = BatchesPerEpoch * settings.Epochs;
        _scheduler = LearningRateSchedulerFactory.Create(kind, _optimizer, new LearningRateSchedulerOptions
        {
            StepSize = settings.ScheduleStepSize,
            Gamma = settings.ScheduleGamma,
            TMax = totalSteps,
            MaxLearningRate = settings.LearningRate,
            TotalSteps = totalSteps,
            CycleMomentum = false,
        });
        _loss = new SoftmaxCrossEntropy(settings.LabelSmoothing, kernels);
        if (settings.Augmentation is { } augmentation)
            _augmenter = new ImageAugmenter(augmentation, data.Shape.C, data.Shape.H, data.Shape.W);
        (_scale, _shift) = Normalization.ScaleAndShift(settings.Mean, settings.StandardDeviation, settings.PixelScale, _channels);
    }

    public int BatchesPerEpoch { get; }

    /// <summary>Trains every epoch (or until early stopping), then restores the best weights and calibrates.</summary>
    public TrainingResult Run(string? resumeFrom, string? checkpointFile)
    {
        if (resumeFrom is not null)
        {
            var file = TrainingCheckpoint.Resolve(resumeFrom);
            Restore(TrainingCheckpoint.Load(file), file);
            Message($"resumed from '{file}' after epoch {_epoch}.");
        }

        while (_epoch < _s.Epochs && !_stopped)
        {
            var epoch = TrainEpoch();
            if (checkpointFile is not null)
                SaveCheckpoint(checkpointFile);
            ReportEpoch(epoch);
        }

        if (_bestWeights is not null && _bestEpoch != _epoch)
            _net.LoadStateDict(_bestWeights);
        _net.Eval();

        float[]? validationLogits = null;
        if (_validation is not null)
        {
            validationLogits = EvaluationLogits(_validation.Images);
            _net.Eval();
        }
        CalibrationResult? calibration = null;
        if (_s.Calibrate && validationLogits is not null)
        {
            calibration = Calibrate(validationLogits);
            Message(FormattableString.Invariant(
                $"temperature {calibration.Temperature:F3} fitted on {calibration.ValidationCount} validation images: ECE {calibration.ExpectedCalibrationErrorBefore:P2} -> {calibration.ExpectedCalibrationErrorAfter:P2}, NLL {calibration.NegativeLogLikelihoodBefore:F4} -> {calibration.NegativeLogLikelihoodAfter:F4}."));
        }
        return new TrainingResult(_net, [.. _history], calibration, _bestEpoch, _stopped, validationLogits);
    }

    /// <summary>One pass over the training images; then validation and early stopping. Returns the epoch's record.</summary>
    private ImageClassificationEpoch TrainEpoch()
    {
        var clock = Stopwatch.StartNew();
        int epoch = _epoch + 1, n = _trainRows.Length, batchSize = _s.BatchSize;
        var order = (int[])_trainRows.Clone();
        if (_s.Shuffle)
            new Rng(ImageAugmenter.SeedFor(_s.Seed, epoch, -1)).Shuffle(order.AsSpan());
        _net.Train();
        var full = new Tensor(batchSize, _channels, _data.Shape.H, _data.Shape.W); // x: (B, C, H, W)
        Tensor? partial = null;                                                    // x: (last batch, C, H, W)
        var targets = new int[batchSize];
        double lossSum = 0, intervalLoss = 0;
        long correct = 0, seen = 0, intervalCorrect = 0, intervalSeen = 0;
        for (int b = 0; b < BatchesPerEpoch; b++)
        {
            _cancellation.ThrowIfCancellationRequested();
            int start = b * batchSize, count = Math.Min(batchSize, n - start);
            var x = count == batchSize ? full : (partial ??= new Tensor(count, _channels, _data.Shape.H, _data.Shape.W));
            FillBatch(order, start, count, epoch, x.Data);
            for (int i = 0; i < count; i++)
                targets[i] = _data.Labels[order[start + i]];

            var logits = _net.Forward(x);                                          // (count, K)
            float loss = _loss.Forward(logits, targets.AsSpan(0, count));
            if (!float.IsFinite(loss))
                throw new InvalidOperationException($"The training loss became {loss} in epoch {epoch}, batch {b + 1}: the learning rate {_optimizer.LearningRate:G3} is probably too high. Lower LearningRate or set GradientClipNorm.");
            _optimizer.ZeroGrad();
            _net.Backward(_loss.Backward());
            if (_s.GradientClipNorm is { } clip)
                GradientClipping.ClipGradNorm(_net.Parameters, (float)clip);
            _optimizer.Step();
            if (_schedulePerBatch)
                _scheduler.Step();

            int hits = CountCorrect(_loss.Probabilities.ToHost(ref _probabilities), targets, count);
            lossSum += (double)loss * count;
            correct += hits;
            seen += count;
            intervalLoss += (double)loss * count;
            intervalCorrect += hits;
            intervalSeen += count;
            if (_progressInterval > 0 && ((b + 1) % _progressInterval == 0 || b + 1 == BatchesPerEpoch))
            {
                ReportBatch(epoch, b + 1, intervalLoss / intervalSeen, (double)intervalCorrect / intervalSeen, seen, clock);
                (intervalLoss, intervalCorrect, intervalSeen) = (0, 0, 0);
            }
        }
        if (!_schedulePerBatch)
            _scheduler.Step();
        _epoch = epoch;

        double? validationLoss = null, validationAccuracy = null;
        if (_validation is not null)
            (validationLoss, validationAccuracy) = LossAndAccuracy(EvaluationLogits(_validation.Images), _validation.Labels);
        double? trainEvalLoss = null, trainEvalAccuracy = null;
        if (_s.TestOnTrainSet)
        {
            var labels = Array.ConvertAll(_trainRows, r => _data.Labels[r]);
            (trainEvalLoss, trainEvalAccuracy) = LossAndAccuracy(EvaluationLogits(new OodFitting.Images(_data.Pixels, _trainRows, _trainRows.Length)), labels);
        }
        var record = new ImageClassificationEpoch(epoch, lossSum / seen, (double)correct / seen, validationLoss, validationAccuracy,
            _optimizer.LearningRate, clock.Elapsed.TotalSeconds, trainEvalLoss, trainEvalAccuracy);
        _history.Add(record);

        if (_s.EarlyStoppingCriteria is { } early)
        {
            double value = early.Monitor == EarlyStoppingMetric.ValidationLoss ? validationLoss!.Value : validationAccuracy!.Value;
            if (early.Improves(value, _bestMetric))
            {
                (_bestMetric, _bestEpoch) = (value, epoch);
                _bestWeights = _net.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
            }
            else if (epoch - _bestEpoch >= early.Patience)
            {
                _stopped = true;
            }
        }
        return record;
    }

    /// <summary>Copies (and augments) the images order[start .. start + count) into x (count, C, H, W), normalised.</summary>
    private void FillBatch(int[] order, int start, int count, int epoch, float[] x)
    {
        int size = _imageSize;
        if (_augmenter is not null)
        {
            _augmented ??= new float[_s.BatchSize * size];
            _augmenter.Apply(_data.Pixels, order, start, count, _augmented, _s.Seed, epoch, _s.NumberOfThreads);
            Normalization.Apply(_augmented.AsSpan(0, count * size), x, _channels, _plane, _scale, _shift);
            return;
        }
        for (int i = 0; i < count; i++)
            Normalization.Apply(_data.Pixels.AsSpan(order[start + i] * size, size), x.AsSpan(i * size, size), _channels, _plane, _scale, _shift);
    }

    /// <summary>
    /// After <see cref="Run"/>: the out-of-distribution statistics of the final network's penultimate features on at most
    /// <paramref name="maximumTrainingImages"/> training images taken evenly across the training rows (0: all; evaluation
    /// mode, no augmentation), with the threshold that flags at most <paramref name="rate"/> of the validation images.
    /// Null without validation images.
    /// </summary>
    public OodFit? FitOod(double rate, int maximumTrainingImages)
    {
        if (_validation is null)
            return null;
        var rows = EvenlySpaced(_trainRows, maximumTrainingImages);
        return OodFitting.Fit(_net, _data.Shape, _scale, _shift, new OodFitting.Images(_data.Pixels, rows, rows.Length),
            [.. rows.Select(r => _data.Labels[r])], _validation.Images, _classes, rate);
    }

    /// <summary><paramref name="count"/> of <paramref name="rows"/> at even steps (all of them when count is 0 or at least their number).</summary>
    internal static int[] EvenlySpaced(int[] rows, int count)
    {
        if (count <= 0 || count >= rows.Length)
            return rows;
        var picked = new int[count];
        for (int i = 0; i < count; i++)
            picked[i] = rows[(int)((long)i * rows.Length / count)];
        return picked;
    }

    /// <summary>The logits (N, K) of raw images in evaluation mode (then back to training mode).</summary>
    private float[] EvaluationLogits(OodFitting.Images images)
    {
        int count = images.Count;
        int batch = Math.Min(count, ImageClassificationTrainer.Defaults.EvaluationBatchSize);
        var logits = new float[count * _classes];
        _net.Eval();
        var input = new Tensor(batch, _channels, _data.Shape.H, _data.Shape.W);
        for (int start = 0; start < count; start += batch)
        {
            int rows = Math.Min(batch, count - start);
            var x = rows == batch ? input : new Tensor(rows, _channels, _data.Shape.H, _data.Shape.W);
            images.Normalise(start, rows, x.Data, _channels, _plane, _scale, _shift);
            _net.Forward(x).CopyTo(logits.AsSpan(start * _classes, rows * _classes));
        }
        _net.Train();
        return logits;
    }

    private (double Loss, double Accuracy) LossAndAccuracy(float[] logits, int[] labels) =>
        (TemperatureScaling.NegativeLogLikelihood(logits, labels, _classes, 1), (double)CountCorrect(logits, labels, labels.Length) / labels.Length);

    private int CountCorrect(float[] scores, int[] targets, int count)
    {
        int hits = 0;
        for (int i = 0; i < count; i++)
            if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(scores.AsSpan(i * _classes, _classes)) == targets[i])
                hits++;
        return hits;
    }

    /// <summary>Fits the temperature on the validation images' logits (N, K) and measures ECE and NLL before and after.</summary>
    private CalibrationResult Calibrate(float[] logits)
    {
        var labels = _validation!.Labels;
        double t = TemperatureScaling.Fit(logits, labels, _classes);
        return new CalibrationResult(t, labels.Length,
            TemperatureScaling.ExpectedCalibrationError(logits, labels, _classes, 1), TemperatureScaling.ExpectedCalibrationError(logits, labels, _classes, t),
            TemperatureScaling.NegativeLogLikelihood(logits, labels, _classes, 1), TemperatureScaling.NegativeLogLikelihood(logits, labels, _classes, t));
    }

    private void ReportBatch(int epoch, int batch, double loss, double accuracy, long seen, Stopwatch epochClock)
    {
        double rate = seen / Math.Max(1e-9, epochClock.Elapsed.TotalSeconds);
        long remainingImages = _trainRows.Length - seen + (long)_trainRows.Length * (_s.Epochs - epoch);
        _report(new TrainingProgress
        {
            Trainer = ImageClassificationTrainer.TrainerName,
            Kind = TrainingProgressKind.Batch,
            Epoch = epoch,
            TotalEpochs = _s.Epochs,
            Batch = batch,
            TotalBatches = BatchesPerEpoch,
            Elapsed = _clock.Elapsed,
            EstimatedRemaining = TimeSpan.FromSeconds(remainingImages / Math.Max(1e-9, rate)),
            Metrics = new Dictionary<string, double>
            {
                ["loss"] = loss,
                ["accuracy"] = accuracy,
                ["learningRate"] = _optimizer.LearningRate,
                ["imagesPerSecond"] = rate,
            },
        });
    }

    private void ReportEpoch(ImageClassificationEpoch last)
    {
        var metrics = new Dictionary<string, double>
        {
            ["loss"] = last.TrainingLoss,
            ["accuracy"] = last.TrainingAccuracy,
            ["learningRate"] = last.LearningRate,
            ["imagesPerSecond"] = _trainRows.Length / Math.Max(1e-9, last.Seconds),
        };
        if (last.ValidationLoss is { } vl)
        {
            metrics["validationLoss"] = vl;
            metrics["validationAccuracy"] = last.ValidationAccuracy!.Value;
        }
        if (last.TrainEvalLoss is { } tl)
        {
            metrics["trainEvalLoss"] = tl;
            metrics["trainEvalAccuracy"] = last.TrainEvalAccuracy!.Value;
        }
        _report(new TrainingProgress
        {
            Trainer = ImageClassificationTrainer.TrainerName,
            Kind = TrainingProgressKind.Epoch,
            Epoch = _epoch,
            TotalEpochs = _s.Epochs,
            Elapsed = _clock.Elapsed,
            EstimatedRemaining = TimeSpan.FromSeconds(last.Seconds * (_s.Epochs - _epoch)),
            Metrics = metrics,
            Message = _stopped ? $"early stopping: no improvement for {_s.EarlyStoppingCriteria!.Patience} epoch(s); keeping epoch {_bestEpoch}." : null,
        });
    }

    private void Message(string text) => _report(new TrainingProgress
    {
        Trainer = ImageClassificationTrainer.TrainerName,
        Kind = TrainingProgressKind.Message,
        Elapsed = _clock.Elapsed,
        Message = text,
    });

    /// <summary>
    /// Writes the end-of-epoch checkpoint. A failed write (a full disk, a folder gone) is reported and training goes on:
    /// the checkpoint only protects the run, and the previous one stays whole.
    /// </summary>
    private void SaveCheckpoint(string file)
    {
        try
        {
            Checkpoint().Save(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Message($"could not write the checkpoint after epoch {_epoch} to '{file}' ({e.Message}); training goes on, the previous checkpoint is kept.");
        }
    }

    /// <summary>The state at the end of the current epoch.</summary>
    private TrainingCheckpoint Checkpoint()
    {
        using var optimizerState = new MemoryStream();
        _optimizer.SaveState(optimizerState);
        return new TrainingCheckpoint
        {
            Settings = _s,
            Epoch = _epoch,
            SchedulerStep = _scheduler.LastStep,
            RandomState = _rng.GetState(),
            History = [.. _history],
            BestMetric = _bestMetric,
            BestEpoch = _bestEpoch,
            Weights = _net.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone()),
            BestWeights = _bestWeights,
            OptimizerState = optimizerState.ToArray(),
        };
    }

    /// <summary>Continues from <paramref name="checkpoint"/>; its settings must equal this run's.</summary>
    private void Restore(TrainingCheckpoint checkpoint, string file)
    {
        var differences = Differences(checkpoint.Settings, _s);
        if (differences.Count > 0)
            throw new ArgumentException($"The checkpoint '{file}' was written by a run with other settings ({string.Join("; ", differences)}); " +
                "resume with the same options (seed and thread count included).");
        if (checkpoint.Epoch > _s.Epochs)
            throw new ArgumentException($"The checkpoint '{file}' is after epoch {checkpoint.Epoch}, beyond the {_s.Epochs} epochs of this run.");
        _net.LoadStateDict(checkpoint.Weights);
        using (var state = new MemoryStream(checkpoint.OptimizerState))
            _optimizer.LoadState(state);
        _scheduler.Seek(checkpoint.SchedulerStep);
        _rng.SetState(checkpoint.RandomState);
        _history.Clear();
        _history.AddRange(checkpoint.History);
        _epoch = checkpoint.Epoch;
        _bestMetric = checkpoint.BestMetric;
        _bestEpoch = checkpoint.BestEpoch;
        _bestWeights = checkpoint.BestWeights;
        if (_s.EarlyStoppingCriteria is { } early && _bestEpoch > 0 && _epoch - _bestEpoch >= early.Patience)
            _stopped = true;
    }

    private static List<string> Differences(ImageClassificationSettings saved, ImageClassificationSettings current)
    {
        var a = JsonSerializer.SerializeToElement(saved);
        var b = JsonSerializer.SerializeToElement(current);
        var list = new List<string>();
        foreach (var property in b.EnumerateObject())
        {
            var before = a.TryGetProperty(property.Name, out var value) ? value.GetRawText() : "(none)";
            if (before != property.Value.GetRawText())
                list.Add($"{property.Name}: checkpoint {before}, now {property.Value.GetRawText()}");
        }
        return list;
    }
}
