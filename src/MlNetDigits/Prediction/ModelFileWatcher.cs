namespace MlNetDigits;

/// <summary>
/// Calls back when a file changes: file-system events (created, changed, renamed onto the path — what an atomic save
/// does) restart a debounce timer, so a burst of writes gives one callback after it goes quiet; a polling timer compares
/// the file's timestamp and size too, for file systems and containers where events are lost or unavailable.
/// </summary>
internal sealed class ModelFileWatcher : IDisposable
{
    private readonly string _path;
    private readonly Action _onChanged;
    private readonly TimeSpan _debounce;
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer _debounceTimer;
    private readonly Timer? _pollTimer;
    private readonly Lock _lock = new();
    private (DateTime, long) _lastSeen;
    private bool _disposed;

    public ModelFileWatcher(string fullPath, TimeSpan debounce, TimeSpan pollingInterval, bool useEvents, Action onChanged, Action<string> log)
    {
        _path = fullPath;
        _onChanged = onChanged;
        _debounce = debounce < TimeSpan.Zero ? TimeSpan.Zero : debounce;
        _lastSeen = Stamp();
        _debounceTimer = new Timer(_ => Fire(), null, Timeout.Infinite, Timeout.Infinite);
        if (!useEvents && pollingInterval <= TimeSpan.Zero)
            throw new ArgumentException("Watching a model file needs file-system events or a positive polling interval; both are off.");
        try
        {
            if (!useEvents)
                throw new PlatformNotSupportedException("file-system events are turned off in the options");
            _watcher = new FileSystemWatcher(Path.GetDirectoryName(fullPath)!)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            _watcher.Changed += OnEvent;
            _watcher.Created += OnEvent;
            _watcher.Renamed += OnEvent;
            _watcher.Error += (_, e) => log($"Watching '{fullPath}' failed ({e.GetException().Message}); relying on polling.");
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            // E.g. the inotify instance limit: polling still notices changes.
            _watcher?.Dispose();
            _watcher = null;
            log($"Cannot watch '{fullPath}' for changes ({e.Message}); polling its timestamp instead.");
        }
        if (pollingInterval > TimeSpan.Zero)
            _pollTimer = new Timer(_ => Poll(), null, pollingInterval, pollingInterval);
    }

    /// <summary>Records the file's current timestamp and size as seen, so polling does not report a change already handled.</summary>
    public void MarkSeen((DateTime, long) stamp)
    {
        lock (_lock)
            _lastSeen = stamp;
    }

    /// <summary>The file's last write time and size (default when it is missing).</summary>
    public (DateTime, long) Stamp()
    {
        try
        {
            var info = new FileInfo(_path);
            return info.Exists ? (info.LastWriteTimeUtc, info.Length) : default;
        }
        catch (IOException)
        {
            return default;
        }
    }

    private void OnEvent(object sender, FileSystemEventArgs e)
    {
        if (string.Equals(e.FullPath, _path, StringComparison.Ordinal))
            Schedule();
    }

    private void Poll()
    {
        var stamp = Stamp();
        bool changed;
        lock (_lock)
            changed = stamp != _lastSeen && stamp != default;
        if (changed)
            Schedule();
    }

    private void Schedule()
    {
        lock (_lock)
        {
            if (!_disposed)
                _debounceTimer.Change(_debounce, Timeout.InfiniteTimeSpan);
        }
    }

    private void Fire()
    {
        lock (_lock)
        {
            if (_disposed)
                return;
        }
        _onChanged();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
        }
        _watcher?.Dispose();
        _pollTimer?.Dispose();
        _debounceTimer.Dispose();
    }
}
