using System.Runtime.ExceptionServices;

namespace MlNetDigits.Engine.Backends;

/// <summary>
/// A fixed set of threads that split a loop into equal contiguous ranges, one per thread. The split depends only on
/// the iteration count and the thread count, so results are reproducible for a given thread count; running a job
/// allocates nothing.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    private readonly Thread[] _threads;            // threads 1..Threads-1; the caller is worker 0
    private readonly ManualResetEventSlim[] _start;
    private readonly ManualResetEventSlim _done = new(false);
    private IParallelJob? _job;
    private int _count;
    private int _pending;
    private volatile bool _disposed;
    private ExceptionDispatchInfo? _error;
    private readonly object _gate = new();

    public WorkerPool(int threads)
    {
        if (threads < 1)
            throw new ArgumentOutOfRangeException(nameof(threads), $"A worker pool needs at least one thread; got {threads}.");
        Threads = threads;
        _threads = new Thread[threads - 1];
        _start = new ManualResetEventSlim[threads - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            int worker = i + 1;
            _start[i] = new ManualResetEventSlim(false, 2000);
            _threads[i] = new Thread(() => WorkerLoop(worker)) { IsBackground = true, Name = $"MlNetDigits.Engine worker {worker}" };
            _threads[i].Start();
        }
    }

    /// <summary>The number of threads taking part in a job, the caller included.</summary>
    public int Threads { get; }

    /// <summary>Runs <paramref name="job"/> over [0, <paramref name="count"/>), split into at most <see cref="Threads"/> ranges.</summary>
    public void Run(IParallelJob job, int count, int maxThreads = int.MaxValue)
    {
        int used = Math.Min(Math.Min(Threads, maxThreads), count);
        if (used <= 1)
        {
            if (count > 0)
                job.Execute(0, 0, count);
            return;
        }
        lock (_gate)
        {
            _job = job;
            _count = count;
            _active = used;
            _pending = used - 1;
            _error = null;
            _done.Reset();
            for (int i = 0; i < used - 1; i++)
                _start[i].Set();
            try
            {
                job.Execute(0, 0, count / used);
            }
            finally
            {
                _done.Wait();
                _job = null;
            }
            _error?.Throw();
        }
    }

    private int _active;

    private void WorkerLoop(int worker)
    {
        var start = _start[worker - 1];
        while (true)
        {
            start.Wait();
            start.Reset();
            if (_disposed)
                return;
            try
            {
                int from = (int)((long)_count * worker / _active), to = (int)((long)_count * (worker + 1) / _active);
                _job!.Execute(worker, from, to);
            }
            catch (Exception e)
            {
                _error = ExceptionDispatchInfo.Capture(e);
            }
            if (Interlocked.Decrement(ref _pending) == 0)
                _done.Set();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var s in _start)
            s.Set();
    }
}
