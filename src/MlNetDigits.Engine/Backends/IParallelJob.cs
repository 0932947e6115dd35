namespace MlNetDigits.Engine.Backends;

/// <summary>A loop body run by <see cref="WorkerPool"/>: each worker gets one contiguous range of the iteration space.</summary>
internal interface IParallelJob
{
    /// <summary>
    /// Runs iterations [<paramref name="start"/>, <paramref name="end"/>), chunk number <paramref name="chunk"/> of
    /// <see cref="WorkerPool.ChunkCount"/>, on worker <paramref name="worker"/> (0 = the calling thread).
    /// </summary>
    void Execute(int worker, int chunk, int start, int end);
}
