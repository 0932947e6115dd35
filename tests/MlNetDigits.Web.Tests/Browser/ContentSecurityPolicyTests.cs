using Microsoft.Playwright;

namespace MlNetDigits.Web.Tests.Browser;

/// <summary>
/// The pages work under the app's Content-Security-Policy: Chromium reports no violation while they are used. The other
/// browser tests bypass the policy, since Playwright's WaitForFunction evaluates its predicate with eval, which the policy
/// forbids; these tests wait on selectors instead.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ContentSecurityPolicyTests(BrowserFixture fixture)
{
    /// <summary>Records every violation the page reports, from before its first script runs.</summary>
    private const string RecordViolations =
        "window.cspViolations = []; document.addEventListener('securitypolicyviolation', e => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));";

    private static readonly LocatorWaitForOptions Attached = new() { State = WaitForSelectorState.Attached, Timeout = 30_000 };

    [Theory]
    [InlineData("")]
    [InlineData("browse.html")]
    [InlineData("misclassified.html?model=sdca")]
    public async Task Pages_WorkWithoutViolatingTheContentSecurityPolicy(string url)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
        await context.AddInitScriptAsync(RecordViolations);
        var page = await context.NewPageAsync();

        var response = (await page.GotoAsync(fixture.BaseUrl + url))!;
        if (url == "")
        {
            await page.Locator("body[data-ready='true']").WaitForAsync(Attached);
            // Draw a stroke: the answer's panels, bars (inline widths set from script) and the seen image (a data: URL).
            var box = (await page.GetByTestId("pad").BoundingBoxAsync())!;
            await page.Mouse.MoveAsync(box.X + box.Width / 2, box.Y + box.Height * 0.15f);
            await page.Mouse.DownAsync();
            await page.Mouse.MoveAsync(box.X + box.Width / 2, box.Y + box.Height * 0.85f, new MouseMoveOptions { Steps = 8 });
            await page.Mouse.UpAsync();
            // The answer to the last change is shown once no request is pending.
            await page.Locator("body[data-state='answered']:not([data-pending])").WaitForAsync(Attached);
            Assert.Matches("^[0-9]$", await page.GetByTestId("digit-cnn").InnerTextAsync());
            Assert.StartsWith("data:image/png;base64,", await page.GetByTestId("seen").GetAttributeAsync("src"));
        }
        else
        {
            await page.Locator("body[data-state='ready']").WaitForAsync(Attached);
            Assert.True(await page.GetByTestId("item").CountAsync() > 0);
        }
        var violations = await page.EvaluateAsync<string[]>("window.cspViolations");

        Assert.Contains("frame-ancestors 'none'", await response.HeaderValueAsync("content-security-policy"));
        Assert.Empty(violations);
        await context.CloseAsync();
    }

    [Fact]
    public async Task NumberModeAndACorrection_WorkWithoutViolatingTheContentSecurityPolicy()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
        await context.AddInitScriptAsync(RecordViolations);
        var page = await context.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "?mode=number");
        await page.Locator("body[data-ready='true']").WaitForAsync(Attached);

        // Number mode: the boxes over the pad are placed by inline styles set from script.
        await StrokeAsync(page, 0.3f);
        await page.Locator("body[data-state='answered']:not([data-pending])").WaitForAsync(Attached);
        Assert.Equal("1", await page.GetByTestId("number-text").InnerTextAsync());
        Assert.True((await page.GetByTestId("box-0").BoundingBoxAsync())!.Height > 50, "The box over the digit has no height.");

        // One digit, then "Wrong?" and a digit: the correction is posted and its answer shown.
        await page.GetByTestId("mode-digit").ClickAsync();
        await StrokeAsync(page, 0.5f);
        await page.Locator("body[data-state='answered']:not([data-pending])").WaitForAsync(Attached);
        await page.GetByTestId("wrong-sdca").ClickAsync();
        await page.GetByTestId("label-sdca-4").ClickAsync();
        await page.GetByTestId("saved-sdca").Filter(new LocatorFilterOptions { HasText = "Saved: it was a 4." }).WaitForAsync(Attached);
        var violations = await page.EvaluateAsync<string[]>("window.cspViolations");

        Assert.Empty(violations);
        await context.CloseAsync();
    }

    /// <summary>A vertical mouse stroke at <paramref name="x"/> (a fraction of the pad's width), from 15 % to 85 % of its height.</summary>
    private static async Task StrokeAsync(IPage page, float x)
    {
        var box = (await page.GetByTestId("pad").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + box.Width * x, box.Y + box.Height * 0.15f);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + box.Width * x, box.Y + box.Height * 0.85f, new MouseMoveOptions { Steps = 8 });
        await page.Mouse.UpAsync();
    }
}
