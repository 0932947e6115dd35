using Microsoft.Playwright;
using MlNetDigits.Web.Tests.Fixtures;
using Xunit.Abstractions;

namespace MlNetDigits.Web.Tests.Browser;

/// <summary>The dataset browser and the misclassified view in Chromium: paging, the digit filter, impossible pages.</summary>
[Collection(BrowserCollection.Name)]
public sealed class GalleryPageTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Browse_ShowsPagesOfOneHundredAndPagesForwardAndBack()
    {
        var page = await OpenAsync("browse.html");

        Assert.Equal(100, await page.GetByTestId("item").CountAsync());
        Assert.Contains("Page 1 of 20", await page.GetByTestId("pageinfo").InnerTextAsync());
        Assert.Contains("committed MNIST sample", await page.GetByTestId("source").InnerTextAsync());
        Assert.Equal("true", await page.GetByTestId("prev").GetAttributeAsync("aria-disabled"));
        Assert.True(await page.EvaluateAsync<bool>(
            "Promise.all([...document.querySelectorAll('#grid img')].slice(0, 5).map(i => i.decode().then(() => i.naturalWidth === 28)))" +
            ".then(all => all.every(x => x))"), "The gallery images did not load as 28x28 PNGs.");
        await Screenshot(page, "browse-train-page1");

        await ClickAndWaitAsync(page, "next", "page=2");
        Assert.Equal("100", await page.GetByTestId("item").First.GetAttributeAsync("data-index"));

        await ClickAndWaitAsync(page, "prev", "page=1");
        Assert.Equal("0", await page.GetByTestId("item").First.GetAttributeAsync("data-index"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Browse_FiltersByDigitAndStopsAtTheLastPage()
    {
        var page = await OpenAsync("browse.html?split=train");

        await ClickAndWaitAsync(page, "digit-7", "digit=7");
        var labels = await page.GetByTestId("item").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.label)");
        Assert.Equal(100, labels.Length);
        Assert.All(labels, l => Assert.Equal("7", l));
        Assert.Contains("Page 1 of 2", await page.GetByTestId("pageinfo").InnerTextAsync());

        await ClickAndWaitAsync(page, "next", "page=2");
        Assert.Contains("Page 2 of 2", await page.GetByTestId("pageinfo").InnerTextAsync());
        Assert.Equal("true", await page.GetByTestId("next").GetAttributeAsync("aria-disabled"));
        Assert.All(await page.GetByTestId("item").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.label)"), l => Assert.Equal("7", l));

        await ClickAndWaitAsync(page, "split-test", "split=test");
        Assert.Contains("Page 1 of 1", await page.GetByTestId("pageinfo").InnerTextAsync());
        await Screenshot(page, "browse-test-digit7");
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData("browse.html?page=999", "Page 999 does not exist")]
    [InlineData("browse.html?digit=12", "0 to 9")]
    [InlineData("browse.html?split=..%2F..%2Fetc", "'train' or 'test'")]
    public async Task Browse_ImpossiblePageOrDigitShowsAMessage(string url, string expected)
    {
        var page = await OpenAsync(url, "error");

        Assert.True(await page.GetByTestId("message").IsVisibleAsync());
        Assert.Contains(expected, await page.GetByTestId("message").InnerTextAsync());
        Assert.Equal(0, await page.GetByTestId("item").CountAsync());
        if (url.Contains("999"))
            await Screenshot(page, "browse-no-such-page");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Misclassified_ShowsTrueAndPredictedLabelsOfTheModelsErrors()
    {
        var page = await OpenAsync("misclassified.html?model=sdca", timeoutMs: 30_000);

        var items = page.GetByTestId("item");
        Assert.True(await items.CountAsync() > 0);
        var first = items.First;
        var index = int.Parse((await first.GetAttributeAsync("data-index"))!);
        Assert.Contains($"true {SampleDigits.Label(index)}", await first.InnerTextAsync());
        Assert.NotEqual(SampleDigits.Label(index).ToString(), await first.GetByTestId("predicted").InnerTextAsync());
        Assert.Matches("gets [0-9,]+ of 1,000 test images wrong", await page.GetByTestId("summary").InnerTextAsync());
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"),
            "The misclassified page scrolls sideways: the probability bars do not fit in their cards.");
        await Screenshot(page, "misclassified-sdca");
        await page.Context.CloseAsync();
    }

    private async Task<IPage> OpenAsync(string url, string state = "ready", float timeoutMs = 30_000)
    {
        // BypassCSP: WaitForFunction evaluates with eval; ContentSecurityPolicyTests runs the pages under the policy.
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BypassCSP = true, ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + url);
        await page.WaitForFunctionAsync($"document.body.dataset.state === '{state}'", null, new PageWaitForFunctionOptions { Timeout = timeoutMs });
        return page;
    }

    /// <summary>Clicks a link, waits for the new page's URL to hold <paramref name="inUrl"/> and for it to show its images.</summary>
    /// <remarks>
    /// The wait is for the new document's own "ready" flag, not for the browser's load event: once (a fresh clone's full
    /// run, 2026-12-02) Playwright reported the network idle after the click but never the load event, and the test timed
    /// out although the page had rendered.
    /// </remarks>
    private static async Task ClickAndWaitAsync(IPage page, string testId, string inUrl)
    {
        var href = await page.GetByTestId(testId).GetAttributeAsync("href");
        await page.GetByTestId(testId).ClickAsync();
        try
        {
            await page.WaitForURLAsync(url => url.Contains(inUrl, StringComparison.Ordinal),
                new PageWaitForURLOptions { Timeout = 30_000, WaitUntil = WaitUntilState.Commit });
            // Right after the commit the new document may not have a body yet.
            await page.WaitForFunctionAsync("document.body !== null && document.body.dataset.state === 'ready'", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        }
        catch (TimeoutException e)
        {
            // Say where the page got to, so a timeout on a loaded machine can be told from a broken link or script.
            var state = await page.EvaluateAsync<string>("document.body ? String(document.body.dataset.state) : '(no body)'");
            throw new TimeoutException($"After clicking '{testId}' (href '{href}'), waiting for a URL with '{inUrl}' and the page's ready state: the page is at '{page.Url}' in state '{state}'.", e);
        }
    }

    private async Task Screenshot(IPage page, string name)
    {
        var path = Path.Combine(BrowserFixture.ScreenshotFolder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"Screenshot: {path}");
    }
}
