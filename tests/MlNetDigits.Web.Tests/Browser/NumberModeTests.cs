using System.Globalization;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace MlNetDigits.Web.Tests.Browser;

/// <summary>The draw page's "A number" mode in Chromium: several digits drawn with the mouse on the wide pad are read as one number.</summary>
[Collection(BrowserCollection.Name)]
public sealed class NumberModeTests(BrowserFixture fixture, ITestOutputHelper output)
{
    /// <summary>Each digit's strokes in the fractions (0..1) of a square cell, as <see cref="DrawPageTests"/> draws them on the square pad.</summary>
    internal static readonly Dictionary<char, string> Strokes = new()
    {
        ['1'] = "0.52,0.12 0.50,0.50 0.48,0.88",
        ['0'] = DrawPageTests.Ellipse(0.5, 0.5, 0.24, 0.36, 36),
        ['7'] = "0.22,0.18 0.50,0.18 0.78,0.18 | 0.78,0.18 0.62,0.50 0.46,0.88",
        ['2'] = "0.25,0.30 0.35,0.15 0.55,0.12 0.72,0.22 0.74,0.40 0.60,0.58 0.25,0.88 0.80,0.88",
        ['3'] = "0.25,0.18 0.50,0.10 0.72,0.20 0.70,0.40 0.48,0.50 | 0.48,0.50 0.74,0.62 0.74,0.80 0.50,0.90 0.25,0.82",
        ['4'] = "0.62,0.12 0.22,0.62 0.80,0.62 | 0.62,0.12 0.62,0.90",
    };

    [Theory]
    [InlineData("701")]
    [InlineData("107")]
    [InlineData("42")]
    [InlineData("307")]
    public async Task NumberMode_ReadsDigitsDrawnSideBySide_WithABoxAndProbabilitiesForEachDigit(string number)
    {
        var page = await fixture.OpenDrawPageAsync();
        await page.GetByTestId("mode-number").ClickAsync();
        Assert.Equal("true", await page.GetByTestId("mode-number").GetAttributeAsync("aria-pressed"));
        Assert.Equal(new[] { 840, 280 }, await page.GetByTestId("pad").EvaluateAsync<int[]>("c => [c.width, c.height]"));
        var pad = (await page.GetByTestId("pad").BoundingBoxAsync())!;
        Assert.Equal(3, pad.Width / pad.Height, 1);

        await DrawPageTests.DrawAsync(page, string.Join(" | ", number.Select((digit, i) => InCell(Strokes[digit], i))));
        await DrawPageTests.WaitForAnswerAsync(page);

        Assert.Equal(number, await page.GetByTestId("number-text").InnerTextAsync());
        for (int i = 0; i < number.Length; i++)
        {
            var card = page.GetByTestId($"number-digit-{i}");
            Assert.Equal(number[i].ToString(), await card.Locator(".digit").InnerTextAsync());
            Assert.Equal(10, await card.Locator(".bars li").CountAsync());
            Assert.Matches(@"^(\d{1,2}\.\d+ %|> 99\.9999 %)$", await card.Locator(".confidence").InnerTextAsync());
            // The box drawn over the pad sits over the cell the digit was drawn in.
            var box = (await page.GetByTestId($"box-{i}").BoundingBoxAsync())!;
            Assert.Equal(number[i].ToString(), await page.GetByTestId($"box-{i}").InnerTextAsync());
            var centre = (box.X + box.Width / 2 - pad.X) / pad.Width * 840;
            Assert.InRange(centre, 30 + i * 270, 30 + i * 270 + 240);
        }
        Assert.Equal(number.Length, await page.GetByTestId("boxes").Locator(".box").CountAsync());
        await BrowserFixture.ScreenshotAsync(page, $"number-{number}", output);

        // Back to one digit: the square pad, and no boxes over it.
        await page.GetByTestId("mode-digit").ClickAsync();
        Assert.Equal(new[] { 280, 280 }, await page.GetByTestId("pad").EvaluateAsync<int[]>("c => [c.width, c.height]"));
        Assert.Equal(0, await page.GetByTestId("boxes").Locator(".box").CountAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task NumberMode_IsOpenedByTheModeQuery()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BypassCSP = true, ViewportSize = new ViewportSize { Width = 1100, Height = 800 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "?mode=number");
        await page.WaitForFunctionAsync("document.body.dataset.ready === 'true'");

        Assert.Equal("true", await page.GetByTestId("mode-number").GetAttributeAsync("aria-pressed"));
        Assert.Equal("Draw a number", await page.Locator("h1").InnerTextAsync());
        Assert.Equal("–", await page.GetByTestId("number-text").InnerTextAsync());
        await context.CloseAsync();
    }

    /// <summary>Strokes drawn in square-cell fractions moved into cell <paramref name="index"/> of the 840x280 pad: 240 px cells, 270 px apart, from x = 30.</summary>
    internal static string InCell(string strokes, int index) =>
        string.Join(" | ", strokes.Split('|', StringSplitOptions.TrimEntries).Select(stroke =>
            string.Join(' ', stroke.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(point =>
            {
                var uv = point.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                return FormattableString.Invariant($"{(30 + index * 270 + uv[0] * 240) / 840:0.0000},{(20 + uv[1] * 240) / 280:0.0000}");
            }))));

}
