using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using MlNetDigits.Web.Tests.Fixtures;

namespace MlNetDigits.Web.Tests.Browser;

/// <summary>
/// The app on a real Kestrel server at 127.0.0.1 (a free port), and Debian's Chromium driven by Playwright. The browser is
/// never downloaded: Playwright's node driver (shipped in its NuGet package) launches /usr/bin/chromium. Without Chromium
/// the browser tests fail saying how to install it.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Debian's Chromium (package "chromium").</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private WebApplication? _app;
    private IPlaywright? _playwright;

    /// <summary>The app's address, e.g. http://127.0.0.1:40123/.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>Where the app keeps corrections: a database in a new temporary folder.</summary>
    public string CorrectionsPath { get; } = Path.Combine(Path.GetTempPath(), "mlnd-web-browser-corrections-" + Guid.NewGuid().ToString("N"), "corrections.db");

    /// <summary>The headless browser.</summary>
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: $MLNETDIGITS_SCREENSHOTS, else TestResults/screenshots beside the test assembly.</summary>
    public static string ScreenshotFolder { get; } = Environment.GetEnvironmentVariable("MLNETDIGITS_SCREENSHOTS") is { Length: > 0 } folder
        ? Path.GetFullPath(folder)
        : Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException(
                $"The browser tests drive Debian's Chromium at {ChromiumPath}, which is not installed. Install it with `sudo apt-get install -y chromium` " +
                "(Playwright's own browser download is not used).");
        _app = WebApp.Create(
        [
            "--urls", "http://127.0.0.1:0",
            "--environment", "Testing",
            $"--Models:Cnn={TestModels.First}",
            $"--Models:Sdca={TestModels.Second}",
            "--Web:Dataset=sample",
            $"--Web:DataRoot={TestModels.DataRoot}",
            "--Web:WatchModels=false",
            $"--Web:CorrectionsPath={CorrectionsPath}",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await _app.StartAsync();
        BaseUrl = _app.Urls.Single().TrimEnd('/') + "/";
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    /// <summary>
    /// Opens the draw page (or <paramref name="path"/>) in a new 1100x800 context and waits until its script is ready.
    /// BypassCSP: WaitForFunction evaluates with eval; ContentSecurityPolicyTests runs the pages under the policy.
    /// </summary>
    public async Task<IPage> OpenDrawPageAsync(string path = "")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BypassCSP = true, ViewportSize = new ViewportSize { Width = 1100, Height = 800 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(BaseUrl + path);
        await page.WaitForFunctionAsync("document.body.dataset.ready === 'true'");
        return page;
    }

    /// <summary>Saves a full-page screenshot named <paramref name="name"/> in <see cref="ScreenshotFolder"/> and says where.</summary>
    public static async Task ScreenshotAsync(IPage page, string name, Xunit.Abstractions.ITestOutputHelper output)
    {
        var path = Path.Combine(ScreenshotFolder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"Screenshot: {path}");
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

/// <summary>The browser tests share one server and one browser.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
