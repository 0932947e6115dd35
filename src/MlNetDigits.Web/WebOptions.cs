namespace MlNetDigits.Web;

/// <summary>
/// The app's settings: the "Web" section of the configuration (appsettings.json, environment variables such as
/// <c>Web__Port</c>, or the command line: <c>--Web:Port=5081</c>); defaults in <see cref="Defaults"/>. Model files are the
/// separate "Models" section (see <see cref="Models.ModelCatalog"/>).
/// </summary>
public sealed class WebOptions
{
    /// <summary>The default settings.</summary>
    public static class Defaults
    {
        /// <summary>The loopback port used when no URL is configured: 5080.</summary>
        public const int Port = 5080;

        /// <summary>The largest single-image request body: 1 MiB.</summary>
        public const int MaxSingleRequestBytes = 1 << 20;

        /// <summary>The largest batch request body: 8 MiB.</summary>
        public const int MaxBatchRequestBytes = 8 << 20;

        /// <summary>The most images in one batch: 256.</summary>
        public const int MaxBatchSize = 256;

        /// <summary>
        /// The most pixels one request may have decoded and classified, all its images together: 33,554,432 (2^25: two
        /// 4096x4096 images, or a full batch of 256 drawings of 280x280 with room to spare). A PNG's size is read from its
        /// header, so a request over the budget is refused before any pixel is decoded.
        /// </summary>
        public const int MaxPixelsPerRequest = 1 << 25;

        /// <summary>Images per page of the dataset browser: 100.</summary>
        public const int PageSize = 100;

        /// <summary>Reload a model when its file changes: true.</summary>
        public const bool WatchModels = true;

        /// <summary>Which data set the browser shows: "auto" (MNIST when fetched, else the committed sample).</summary>
        public const string Dataset = "auto";

        /// <summary>Where corrections sent from the draw page are kept: "data/corrections.db", from the base folder.</summary>
        public const string CorrectionsPath = "data/corrections.db";
    }

    /// <summary>The loopback port used when neither <c>--urls</c> nor ASPNETCORE_URLS is given.</summary>
    public int Port { get; set; } = Defaults.Port;

    /// <summary>Reload a model when its file changes (the prediction pool's file watcher).</summary>
    public bool WatchModels { get; set; } = Defaults.WatchModels;

    /// <summary>See <see cref="Defaults.MaxSingleRequestBytes"/>.</summary>
    public int MaxSingleRequestBytes { get; set; } = Defaults.MaxSingleRequestBytes;

    /// <summary>See <see cref="Defaults.MaxBatchRequestBytes"/>.</summary>
    public int MaxBatchRequestBytes { get; set; } = Defaults.MaxBatchRequestBytes;

    /// <summary>See <see cref="Defaults.MaxBatchSize"/>.</summary>
    public int MaxBatchSize { get; set; } = Defaults.MaxBatchSize;

    /// <summary>See <see cref="Defaults.MaxPixelsPerRequest"/>.</summary>
    public int MaxPixelsPerRequest { get; set; } = Defaults.MaxPixelsPerRequest;

    /// <summary>
    /// Other origins whose pages may POST to the API (e.g. <c>https://digits.example.org</c> when a proxy serves the app
    /// under another name); empty by default: a POST whose <c>Origin</c> is not this server's is refused with 403.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>See <see cref="Defaults.PageSize"/>.</summary>
    public int PageSize { get; set; } = Defaults.PageSize;

    /// <summary>"auto", "mnist" or "sample".</summary>
    public string Dataset { get; set; } = Defaults.Dataset;

    /// <summary>The data root holding mnist/ (and sample/); null: MLNETDIGITS_DATA, else ./data.</summary>
    public string? DataRoot { get; set; }

    /// <summary>
    /// The SQLite file that keeps corrections (see <see cref="Defaults.CorrectionsPath"/>); a relative path is taken from the
    /// base folder (<see cref="AppFolders"/>). Created with its folder when the first correction arrives.
    /// </summary>
    public string CorrectionsPath { get; set; } = Defaults.CorrectionsPath;
}
