using System.Runtime.ExceptionServices;

namespace MlNetDigits.Engine.Backends;

/// <summary>
/// A fixed set of threads that run a loop as a few contiguous chunks claimed from a shared counter; the caller takes
/// part, so a job finishes even when the other threads are slow to wake on a loaded machine. Jobs must make each
/// index's result independent of which thread runs it (every engine job writes disjoint outputs), so results do not
/// depend on scheduling. Running a job allocates nothing.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    private const int Closed = int.MaxValue / 2;

    private readonly Thread[] _threads;             // workers 1..Threads-1; the caller is worker 0
    private readonly ManualResetEventSlim[] _wake;
    private readonly object _gate = new();
    private IParallelJob? _job;
    private int _count, _chunks;
    private int _next = Closed;                      // next chunk to claim; Closed between jobs
    private int _done;                               // chunks finished
    private int _inFlight;                           // threads between claiming a chunk and finishing or rejecting it
    private volatile bool _disposed;
    private ExceptionDispatchInfo? _error;

    public WorkerPool(int threads)
    {
        if (threads < 1)
            throw new ArgumentOutOfRangeException(nameof(threads), $"A worker pool needs at least one thread; got {threads}.");
        Threads = threads;
        _threads = new Thread[threads - 1];
        _wake = new ManualResetEventSlim[threads - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            int worker = i + 1;
            _wake[i] = new ManualResetEventSlim(false, 100);
            _threads[i] = new Thread(() => WorkerLoop(worker)) { IsBackground = true, Name = $"MlNetDigits.Engine worker {worker}" };
            _threads[i].Start();
        }
    }

    /// <summary>The number of threads taking part in a job, the caller included.</summary>
    public int Threads { get; }

    /// <summary>How many chunks <see cref="Run"/> splits <paramref name="count"/> iterations into; fixed by the count and thread count.</summary>
    public int ChunkCount(int count, int maxThreads = int.MaxValue)
    {
        int used = Math.Min(Math.Min(Threads, maxThreads), count);
        return used <= 1 ? 1 : Math.Min(count, used * 4);
    }

    /// <summary>Runs <paramref name="job"/> over [0, <paramref name="count"/>) on up to <paramref name="maxThreads"/> threads.</summary>
    public void Run(IParallelJob job, int count, int maxThreads = int.MaxValue)
    {
        int used = Math.Min(Math.Min(Threads, maxThreads), count);
        if (used <= 1)
        {
            if (count > 0)
                job.Execute(0, 0, 0, count);
            return;
        }
        lock (_gate)
        {
            _job = job;
            _count = count;
            _chunks = ChunkCount(count, maxThreads);
            _error = null;
            Volatile.Write(ref _done, 0);
            Volatile.Write(ref _next, 0);        // publishes the job
            for (int i = 0; i < used - 1; i++)
                _wake[i].Set();
            RunChunks(0);
            var spin = new SpinWait();
            while (Volatile.Read(ref _done) < _chunks)
                spin.SpinOnce(-1);
            // Close the counter, then wait out any thread that claimed past the end before seeing it closed, so that
            // no claim on this job's counter can be checked against the next job's chunk count.
            Interlocked.Exchange(ref _next, Closed);
            while (Volatile.Read(ref _inFlight) != 0)
                spin.SpinOnce(-1);
            _job = null;
            _error?.Throw();
        }
    }

    private void RunChunks(int worker)
    {
        while (true)
        {
            Interlocked.Increment(ref _inFlight);
            int chunk = Interlocked.Increment(ref _next) - 1;
            int chunks = Volatile.Read(ref _chunks);
            if (chunk >= chunks)
            {
                Interlocked.Decrement(ref _inFlight);
                return;
            }
            try
            {
                int start = (int)((long)_count * chunk / chunks), end = (int)((long)_count * (chunk + 1) / chunks);
                _job!.Execute(worker, chunk, start, end);
            }
            catch (Exception e)
            {
                _error = ExceptionDispatchInfo.Capture(e);
            }
            Interlocked.Increment(ref _done);
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private void WorkerLoop(int worker)
    {
        var wake = _wake[worker - 1];
        while (true)
        {
            wake.Wait();
            wake.Reset();
            if (_disposed)
                return;
            RunChunks(worker);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var w in _wake)
            w.Set();
    }
}
