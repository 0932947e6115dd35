namespace MlNetDigits.Web.Corrections;

/// <summary>
/// The app's <see cref="CorrectionStore"/>: the SQLite file named by <see cref="WebOptions.CorrectionsPath"/> (relative to
/// the base folder), opened when the first correction arrives rather than at start, so that an app nobody corrects leaves
/// no file behind. A file that cannot be opened (not a corrections database, a folder that cannot be made) is never
/// overwritten: every call that needs the store says why it is not available, and the next one tries again.
/// </summary>
public sealed class CorrectionLog
{
    private readonly AppFolders _folders;
    private readonly ILogger<CorrectionLog> _logger;
    private readonly Lock _lock = new();
    private CorrectionStore? _store;

    /// <summary>The log at <see cref="WebOptions.CorrectionsPath"/>.</summary>
    public CorrectionLog(WebOptions options, AppFolders folders, ILogger<CorrectionLog> logger)
    {
        _folders = folders;
        _logger = logger;
        FullPath = folders.Resolve(options.CorrectionsPath);
    }

    /// <summary>The database file's full path (for the log only).</summary>
    public string FullPath { get; }

    /// <summary>The file as clients see it: relative to the base folder, or its name alone when elsewhere.</summary>
    public string DisplayPath => _folders.Display(FullPath);

    /// <summary>The store, opened (and created with its folder when missing) on first use.</summary>
    /// <exception cref="CorrectionsUnavailableException">The file cannot be opened as a corrections database.</exception>
    public CorrectionStore Store()
    {
        if (_store is { } open)
            return open;
        lock (_lock)
        {
            if (_store is not null)
                return _store;
            try
            {
                _store = CorrectionStore.Open(FullPath);
                _logger.LogInformation("Corrections are kept in {Path}", FullPath);
                return _store;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                _logger.LogError(e, "The corrections database {Path} cannot be opened", FullPath);
                throw new CorrectionsUnavailableException(
                    $"Corrections cannot be kept: {_folders.Redact(e.Message, FullPath)} Point Web:CorrectionsPath at another file (default {WebOptions.Defaults.CorrectionsPath}).", e);
            }
        }
    }

    /// <summary>How many corrections are stored: 0 while the file does not exist (nothing is created to count them).</summary>
    /// <exception cref="CorrectionsUnavailableException">The file exists but cannot be opened as a corrections database.</exception>
    public long Count() => _store is null && !File.Exists(FullPath) ? 0 : Store().Count();
}

/// <summary>The corrections database cannot be opened; the message says which file (as clients see it) and why.</summary>
public sealed class CorrectionsUnavailableException(string message, Exception inner) : Exception(message, inner);
