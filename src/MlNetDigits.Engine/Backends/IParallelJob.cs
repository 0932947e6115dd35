namespace MlNetDigits.Engine.Backends;

/// <summary>A loop body run by <see cref="WorkerPool"/>: each worker gets one contiguous range of the iteration space.</summary>
internal interface IParallelJob
{
    /// <summary>Runs iterations [<paramref name="start"/>, <paramref name="end"/>) on worker <paramref name="worker"/>.</summary>
    void Execute(int worker, int start, int end);
}
