using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MlNetDigits.Web.Tests.Fixtures;

/// <summary>
/// The app in the ASP.NET Core test host, serving the two test models as "cnn" and "sdca" and the committed sample as its
/// data set, and keeping corrections in a database of its own in a new temporary folder (<see cref="CorrectionsPath"/>).
/// Extra settings (e.g. another model file) can be passed in.
/// </summary>
public class WebAppFactory : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?>? _settings;

    /// <summary>The factory used by most API tests (an xunit class fixture: one public constructor).</summary>
    public WebAppFactory()
    {
    }

    /// <summary>A factory with <paramref name="settings"/> added to or replacing the test settings.</summary>
    public static WebAppFactory With(IReadOnlyDictionary<string, string?> settings) => new Configured(settings);

    private WebAppFactory(IReadOnlyDictionary<string, string?> settings) => _settings = settings;

    /// <summary>Where this app keeps corrections (unless the settings name another file): in a new temporary folder, made with the file when the first correction arrives.</summary>
    public string CorrectionsPath { get; } = Path.Combine(Path.GetTempPath(), "mlnd-web-corrections-" + Guid.NewGuid().ToString("N"), "corrections.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        var all = new Dictionary<string, string?>
        {
            ["Models:Cnn"] = TestModels.First,
            ["Models:Sdca"] = TestModels.Second,
            ["Web:Dataset"] = "sample",
            ["Web:DataRoot"] = TestModels.DataRoot,
            ["Web:WatchModels"] = "false",
            ["Web:CorrectionsPath"] = CorrectionsPath,
        };
        foreach (var (key, value) in _settings ?? new Dictionary<string, string?>())
            all[key] = value;
        foreach (var (key, value) in all)
            builder.UseSetting(key, value);
    }

    private sealed class Configured(IReadOnlyDictionary<string, string?> settings) : WebAppFactory(settings);
}
