using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Net.Http.Headers;
using MlNetDigits.Web.Api;
using MlNetDigits.Web.Corrections;
using MlNetDigits.Web.Datasets;
using MlNetDigits.Web.Models;
using MlNetDigits.Web.Security;

namespace MlNetDigits.Web;

/// <summary>
/// Builds the web app: the draw page and dataset browser (static files in wwwroot) and the JSON API. Binds
/// http://127.0.0.1:{Web:Port} (5080) unless <c>--urls</c>, <c>urls</c> in configuration or ASPNETCORE_URLS says otherwise.
/// </summary>
public static class WebApp
{
    /// <summary>Creates the app from command-line <paramref name="args"/>; <paramref name="configure"/> can adjust the builder (tests).</summary>
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            WebRootPath = FindWebRoot(),
        });
        configure?.Invoke(builder);
        Configure(builder);
        var app = builder.Build();
        MapEverything(app);
        return app;
    }

    /// <summary>Registers the app's services and settings on <paramref name="builder"/>.</summary>
    public static void Configure(WebApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
            builder.WebHost.UseUrls($"http://127.0.0.1:{ReadOptions(builder.Configuration).Port}");
        // Settings are read when first needed, not here: a test host adds its settings after this method runs.
        builder.Services.AddSingleton(services => ReadOptions(services.GetRequiredService<IConfiguration>()));
        builder.Services.AddOptions<KestrelServerOptions>().Configure<WebOptions>((kestrel, options) =>
        {
            kestrel.Limits.MaxRequestBodySize = Math.Max(options.MaxSingleRequestBytes, options.MaxBatchRequestBytes);
            kestrel.AddServerHeader = false;
        });
        builder.Services.AddSingleton(_ => new AppFolders());
        builder.Services.AddSingleton<ModelCatalog>();
        builder.Services.AddSingleton<DatasetStore>();
        builder.Services.AddSingleton<MisclassifiedIndex>();
        builder.Services.AddSingleton<CorrectionLog>();
        builder.Services.AddProblemDetails();
    }

    /// <summary>The "Web" section of <paramref name="configuration"/> (plus <c>--port</c> as a shorthand for Web:Port).</summary>
    public static WebOptions ReadOptions(IConfiguration configuration)
    {
        var options = new WebOptions();
        configuration.GetSection("Web").Bind(options);
        if (configuration["port"] is { Length: > 0 } port)
            options.Port = int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536
                ? p
                : throw new InvalidOperationException($"--port must be a TCP port, 1 to 65535; found '{port}'.");
        if (options.MaxSingleRequestBytes < 1 || options.MaxBatchRequestBytes < 1 || options.MaxBatchSize < 1 || options.PageSize < 1 || options.MaxPixelsPerRequest < 1)
            throw new InvalidOperationException("Web:MaxSingleRequestBytes, Web:MaxBatchRequestBytes, Web:MaxBatchSize, Web:MaxPixelsPerRequest and Web:PageSize must be positive.");
        if (string.IsNullOrWhiteSpace(options.CorrectionsPath))
            throw new InvalidOperationException($"Web:CorrectionsPath must name a file (default: {WebOptions.Defaults.CorrectionsPath}, from the base folder).");
        return options;
    }

    /// <summary>Adds the middleware and endpoints.</summary>
    public static void MapEverything(WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseSameOriginPosts();
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = c => c.Context.Response.Headers[HeaderNames.CacheControl] = "no-cache",
        });
        app.MapStatusEndpoints();
        app.MapPredictionEndpoints();
        app.MapNumberEndpoints();
        app.MapCorrectionEndpoints();
        app.MapDatasetEndpoints();
        // Load the models and choose the data set at start, so the log says at once what is served.
        var catalog = app.Services.GetRequiredService<ModelCatalog>();
        app.Services.GetRequiredService<DatasetStore>();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var served = catalog.All.Where(m => m.Classifier is not null).Select(m => m.Name).ToArray();
            var missing = catalog.All.Where(m => m.Classifier is null).Select(m => m.Name).ToArray();
            app.Logger.LogInformation("MlNetDigits web app on {Urls}: serving {Served}{Missing}", string.Join(", ", app.Urls),
                served.Length == 0 ? "no model" : string.Join(", ", served), missing.Length == 0 ? "" : $"; missing: {string.Join(", ", missing)}");
        });
    }

    /// <summary>wwwroot beside the assembly (copied there by the build), else the default (content root's wwwroot).</summary>
    private static string? FindWebRoot()
    {
        var besideAssembly = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        return Directory.Exists(besideAssembly) ? besideAssembly : null;
    }
}
