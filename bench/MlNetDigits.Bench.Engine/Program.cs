using System.Diagnostics;
using MlNetDigits.Bench.Engine;
using MlNetDigits.Engine;
using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Losses;
using MlNetDigits.Engine.Optim;

// Usage: MlNetDigits.Bench.Engine <gemm|layers|fast|classic|best|infer|all> [--data DIR] [--seeds 1,2,3,4,5] [--classic-batches N]
// Prints "RESULT <name> <value> <unit>" lines that bench/engine/run.sh pairs with the PyTorch reference.
// MLND_BACKEND=gpu runs every mode but gemm on the GPU backend (bench/gpu/run.sh); timings then wait for the device.
var mode = args.Length > 0 ? args[0] : "all";
string data = Option("--data") ?? Environment.GetEnvironmentVariable("MNIST_DIR") ?? "/tmp/npmt/package/data";
var seeds = (Option("--seeds") ?? "1").Split(',').Select(ulong.Parse).ToArray();
int classicBatches = int.Parse(Option("--classic-batches") ?? "0");
int layerBatch = int.Parse(Option("--layer-batch") ?? "256");

var kernels = Kernels.Default;
Console.WriteLine($"backend: {kernels.Description}");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()}");

if (mode is "gemm" or "all")
    Gemm();
if (mode is "layers" or "all")
    Layers();
if (mode is "infer" or "all")
    Infer();
if (mode is "fast" or "all")
    Fast();
if (mode is "classic" or "all")
    Classic();
if (mode is "best" or "all")
    Best();
Console.WriteLine($"RESULT peak_working_set_{mode} {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB");
return 0;

string? Option(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

// Waits for the device (a GPU backend queues its kernels) so that a clock read after it has seen the work done.
void Sync() => (kernels as GpuKernels)?.Synchronize();

static void Result(string name, double value, string unit) =>
    Console.WriteLine($"RESULT {name} {value.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)} {unit}");

// sgemm 2048^3 on each available backend: the large-matrix peak the layer figures are compared with.
void Gemm()
{
    const int n = 2048;
    var rng = new Rng(1);
    var a = new Tensor(n, n);
    var b = new Tensor(n, n);
    var c = new Tensor(n, n);
    Init.Uniform(a, -1, 1, rng);
    Init.Uniform(b, -1, 1, rng);
    var kinds = Kernels.OpenBlasAvailable ? new[] { BackendKind.OpenBlas, BackendKind.Managed } : [BackendKind.Managed];
    foreach (var kind in kinds)
    {
        using var k = new CpuKernels(kind, kernels.Threads);
        k.Gemm(false, false, n, n, n, 1f, a.Data, n, b.Data, n, 0f, c.Data, n);
        double best = double.MaxValue;
        for (int r = 0; r < 3; r++)
        {
            var sw = Stopwatch.StartNew();
            k.Gemm(false, false, n, n, n, 1f, a.Data, n, b.Data, n, 0f, c.Data, n);
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        Result($"sgemm2048_{kind.ToString().ToLowerInvariant()}", 2.0 * n * n * n / best / 1e9, "GFLOP/s");
    }
}

// Forward/backward time of each conv and dense layer of the "fast" net at batch 256, as GFLOP/s.
void Layers()
{
    var net = Architectures.Fast(new Rng(1), kernels);
    var hostX = new Tensor(layerBatch, 1, 28, 28);
    Init.Uniform(hostX, -1, 2, new Rng(2));
    var x = Tensor.Zeros(kernels.Device, hostX.Shape);   // the layers are timed one by one: give them the batch where they work
    x.CopyFrom(hostX);
    var loss = new SoftmaxCrossEntropy(kernels: kernels);
    var targets = Enumerable.Range(0, layerBatch).Select(i => i % 10).ToArray();
    int reps = layerBatch >= 64 ? 10 : 2000;
    var forward = new double[net.Layers.Count];
    var backward = new double[net.Layers.Count];
    var inputs = new Tensor[net.Layers.Count];
    for (int r = -2; r < reps; r++)
    {
        var t = x;
        for (int i = 0; i < net.Layers.Count; i++)
        {
            inputs[i] = t;
            var sw = Stopwatch.StartNew();
            t = net.Layers[i].Forward(t);
            Sync();
            if (r >= 0) forward[i] += sw.Elapsed.TotalSeconds;
        }
        loss.Forward(t, targets);
        var g = loss.Backward();
        for (int i = net.Layers.Count - 1; i >= 0; i--)
        {
            var sw = Stopwatch.StartNew();
            g = net.Layers[i].Backward(g);
            Sync();
            if (r >= 0) backward[i] += sw.Elapsed.TotalSeconds;
        }
    }
    double totalForward = 0, totalBackward = 0;
    for (int i = 0; i < net.Layers.Count; i++)
    {
        var layer = net.Layers[i];
        double f = forward[i] / reps, b = backward[i] / reps;
        totalForward += f;
        totalBackward += b;
        double flops = 0, backFlops = 0;
        if (layer is Conv2d conv)
        {
            var input = inputs[i];
            int oh = (input.Shape[2] + 2 * conv.Padding - conv.KernelSize) / conv.Stride + 1;
            int ow = (input.Shape[3] + 2 * conv.Padding - conv.KernelSize) / conv.Stride + 1;
            flops = 2.0 * conv.OutChannels * conv.InChannels * conv.KernelSize * conv.KernelSize * input.Shape[0] * oh * ow;
            backFlops = flops * (conv.ComputeInputGradient ? 2 : 1);
        }
        else if (layer is Dense dense)
        {
            flops = 2.0 * inputs[i].Shape[0] * dense.InFeatures * dense.OutFeatures;
            backFlops = flops * (dense.ComputeInputGradient ? 2 : 1);
        }
        string name = $"layer{i}_{layer.GetType().Name.ToLowerInvariant()}";
        Console.WriteLine($"  {i,2} {layer,-45} forward {f * 1e6,9:F1} us  backward {b * 1e6,9:F1} us");
        if (flops > 0)
        {
            Result($"{name}_forward", flops / f / 1e9, "GFLOP/s");
            Result($"{name}_backward", backFlops / b / 1e9, "GFLOP/s");
        }
    }
    Result($"fast_batch{layerBatch}_forward", totalForward * 1e3, "ms");
    Result($"fast_batch{layerBatch}_backward", totalBackward * 1e3, "ms");
}

void Infer()
{
    var test = Mnist.Load(data, "t10k");
    var net = Architectures.Fast(new Rng(1), kernels);
    net.Eval();
    var one = new Tensor(1, 1, 28, 28);
    var oneLogits = new float[10];   // a device's logits are read back, as a caller would (which waits for the device)
    test.Fill(0, one);
    var times = new double[3000];
    for (int r = -500; r < times.Length; r++)
    {
        long start = Stopwatch.GetTimestamp();
        var logits = net.Forward(one);
        if (!logits.IsOnHost)
            logits.CopyTo(oneLogits);
        if (r >= 0) times[r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
    Array.Sort(times);
    Result("infer_one_image_median", times[times.Length / 2] * 1e6, "us");
    Result("infer_one_image_best", times[0] * 1e6, "us");

    const int batch = 500;
    var x = new Tensor(batch, 1, 28, 28);
    double best = double.MaxValue;
    int correct = 0;
    for (int r = 0; r < 3; r++)
    {
        var sw = Stopwatch.StartNew();
        correct = 0;
        for (int s = 0; s < test.Count; s += batch)
        {
            test.Fill(s, x);
            correct += CountCorrect(net.Forward(x), test.Labels.AsSpan(s, batch));
        }
        best = Math.Min(best, sw.Elapsed.TotalSeconds);
    }
    Result("infer_10k_batched", test.Count / best, "images/s");
}

static int CountCorrect(Tensor logits, ReadOnlySpan<int> labels)
{
    int k = logits.Shape[1], correct = 0;
    var values = logits.ToHost(ref _logits);
    for (int i = 0; i < labels.Length; i++)
    {
        var row = values.AsSpan(i * k, k);
        if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax(row) == labels[i])
            correct++;
    }
    return correct;
}

double Accuracy(Sequential net, Mnist test)
{
    net.Eval();
    // Batches of 256 reuse the training buffers (a larger batch would raise the peak working set).
    const int batch = 256;
    var x = new Tensor(batch, 1, 28, 28);
    Tensor? last = null;
    int correct = 0;
    for (int s = 0; s < test.Count; s += batch)
    {
        int n = Math.Min(batch, test.Count - s);
        var input = n == batch ? x : (last ??= new Tensor(n, 1, 28, 28));
        test.Fill(s, input);
        correct += CountCorrect(net.Forward(input), test.Labels.AsSpan(s, n));
    }
    net.Train();
    return 100.0 * correct / test.Count;
}

// One epoch in file order; returns (seconds, steady-state bytes allocated per step).
(double Seconds, double BytesPerStep) Epoch(Sequential net, Optimizer optimizer, LearningRateScheduler? perBatch, Mnist train, int batch, int maxBatches, double labelSmoothing = 0)
{
    var loss = new SoftmaxCrossEntropy(labelSmoothing, kernels);
    var x = new Tensor(batch, 1, 28, 28);
    Tensor? last = null;
    int steps = 0;
    long allocStart = 0, allocEnd = 0;
    int measured = 0;
    var sw = Stopwatch.StartNew();
    for (int s = 0; s < train.Count; s += batch)
    {
        if (maxBatches > 0 && steps >= maxBatches)
            break;
        int n = Math.Min(batch, train.Count - s);
        var input = n == batch ? x : (last ??= new Tensor(n, 1, 28, 28));
        train.Fill(s, input);
        if (steps == 3)
            allocStart = GC.GetTotalAllocatedBytes(true);
        optimizer.ZeroGrad();
        loss.Forward(net.Forward(input), train.Labels.AsSpan(s, n));
        net.Backward(loss.Backward());
        optimizer.Step();
        perBatch?.Step();
        steps++;

        if (n == batch && steps > 3)
        {
            allocEnd = GC.GetTotalAllocatedBytes(true);
            measured = steps - 3;
        }
    }
    Sync();
    return (sw.Elapsed.TotalSeconds, measured > 0 ? (double)(allocEnd - allocStart) / measured : 0);
}

void Fast()
{
    var train = Mnist.Load(data, "train");
    var test = Mnist.Load(data, "t10k");
    const int batch = 256;
    int steps = (train.Count + batch - 1) / batch;
    var accuracies = new List<double>();
    var seconds = new List<double>();
    WarmUp(() => Architectures.Fast(new Rng(99), kernels), p => new Adam(p, 1e-2, 0.7, 0.9), train, batch);
    foreach (var seed in seeds)
    {
        // The previous seed's network and buffers are garbage by now; collect them so the peak working set is that of
        // one epoch's training, not of several networks waiting for the collector.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var net = Architectures.Fast(new Rng(seed), kernels);
        var adam = new Adam(net.Parameters, 1e-2, 0.7, 0.9);
        var schedule = new OneCycleLR(adam, 1e-2, steps, cycleMomentum: false);
        var (time, bytesPerStep) = Epoch(net, adam, schedule, train, batch, 0);
        double accuracy = Accuracy(net, test);
        accuracies.Add(accuracy);
        seconds.Add(time);
        Console.WriteLine($"  fast seed {seed}: epoch {time:F2} s, test accuracy {accuracy:F2}%, {bytesPerStep:F0} bytes allocated per steady-state step, load {LoadAverage()}");
        Result($"fast_alloc_per_step_seed{seed}", bytesPerStep, "bytes");
    }
    Result("fast_epoch_seconds_mean", seconds.Average(), "s");
    Result("fast_epoch_seconds_best", seconds.Min(), "s");
    Result("fast_test_accuracy_mean", accuracies.Average(), "%");
    Result("fast_test_accuracy_min", accuracies.Min(), "%");
}

void Classic()
{
    var train = Mnist.Load(data, "train");
    var test = Mnist.Load(data, "t10k");
    const int batch = 64;
    var rng = new Rng(seeds[0]);
    var net = Architectures.Classic(rng, kernels);
    var adadelta = new Adadelta(net.Parameters, 1.0);
    var (time, bytesPerStep) = Epoch(net, adadelta, null, train, batch, classicBatches);
    int totalBatches = (train.Count + batch - 1) / batch;
    if (classicBatches > 0 && classicBatches < totalBatches)
    {
        Console.WriteLine($"  classic: {classicBatches} batches in {time:F2} s, extrapolated to {totalBatches} batches");
        time = time / classicBatches * totalBatches;
    }
    else
    {
        Console.WriteLine($"  classic: test accuracy after one epoch {Accuracy(net, test):F2}%");
    }
    Console.WriteLine($"  classic: {bytesPerStep:F0} bytes allocated per steady-state step, load {LoadAverage()}");
    Result("classic_epoch_seconds", time, "s");
}

// The "best" preset's network and optimizer for one epoch in file order (no augmentation: the engine alone, as
// PyTorch's side runs it): batch 128, AdamW 3e-3, weight decay 1e-4, one-cycle, label smoothing 0.05.
void Best()
{
    var train = Mnist.Load(data, "train");
    var test = Mnist.Load(data, "t10k");
    const int batch = 128;
    int steps = (train.Count + batch - 1) / batch;
    WarmUp(() => BestNet(new Rng(99)), p => new AdamW(p, 3e-3, weightDecay: 1e-4), train, batch, 0.05);
    var net = BestNet(new Rng(seeds[0]));
    var adamw = new AdamW(net.Parameters, 3e-3, weightDecay: 1e-4);
    var schedule = new OneCycleLR(adamw, 3e-3, steps, cycleMomentum: false);
    var (time, bytesPerStep) = Epoch(net, adamw, schedule, train, batch, 0, labelSmoothing: 0.05);
    Console.WriteLine($"  best: epoch {time:F2} s, test accuracy {Accuracy(net, test):F2}%, {bytesPerStep:F0} bytes allocated per steady-state step, load {LoadAverage()}");
    Result("best_epoch_seconds", time, "s");

    Sequential BestNet(Rng rng)
    {
        var net = new Sequential(
            new Conv2d(1, 32, 3, rng, bias: false), new BatchNorm2d(32), new ReLU(),
            new Conv2d(32, 32, 3, rng, bias: false), new BatchNorm2d(32), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, rng, bias: false), new BatchNorm2d(64), new ReLU(),
            new Conv2d(64, 64, 3, rng, bias: false), new BatchNorm2d(64), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Dense(64 * 4 * 4, 256, rng, bias: false), new BatchNorm1d(256), new ReLU(), new Dropout(0.3, rng),
            new Dense(256, 10, rng));
        net.Kernels = kernels;
        return net;
    }
}

// On a device backend, a few steps of a throwaway network first: ILGPU compiles each kernel on its first launch and
// cuBLAS sets itself up, which the timed epoch should not include (PyTorch's side warms up the same way).
void WarmUp(Func<Sequential> build, Func<IReadOnlyList<Parameter>, Optimizer> optimizer, Mnist train, int batch, double labelSmoothing = 0)
{
    if (kernels.Device is null)
        return;
    var net = build();
    var sw = Stopwatch.StartNew();
    Epoch(net, optimizer(net.Parameters), null, train, batch, 3, labelSmoothing);
    Console.WriteLine($"  warm-up: 3 steps in {sw.Elapsed.TotalSeconds:F2} s (kernel compilation), not timed");
}

partial class Program
{
    private static float[]? _logits; // CountCorrect's host copy of a device backend's logits
}
