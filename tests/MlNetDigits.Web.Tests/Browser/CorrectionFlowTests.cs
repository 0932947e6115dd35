using Microsoft.Playwright;
using Xunit.Abstractions;

namespace MlNetDigits.Web.Tests.Browser;

/// <summary>
/// The draw page's answers in Chromium: "not a digit" in place of a digit, and "Wrong?" storing what a drawing really is
/// in the app's corrections database (read back with the library's <see cref="CorrectionStore"/>).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CorrectionFlowTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Wrong_ThenADigit_StoresTheDrawingWithTheRightLabelAndTheModelsAnswer()
    {
        var page = await fixture.OpenDrawPageAsync();
        await DrawPageTests.DrawAsync(page, "0.52,0.12 0.50,0.50 0.48,0.88");
        await DrawPageTests.WaitForAnswerAsync(page);
        Assert.Equal("1", await page.GetByTestId("digit-cnn").InnerTextAsync());
        var version = (await page.GetByTestId("model-cnn").Locator(".version").InnerTextAsync()).Replace("v ", "");
        long before = File.Exists(fixture.CorrectionsPath) ? CorrectionStore.Open(fixture.CorrectionsPath).Count() : 0;

        Assert.False(await page.GetByTestId("picker-cnn").IsVisibleAsync());
        await page.GetByTestId("wrong-cnn").ClickAsync();
        Assert.True(await page.GetByTestId("picker-cnn").IsVisibleAsync());
        await page.GetByTestId("label-cnn-7").ClickAsync();
        await page.GetByTestId("saved-cnn").Filter(new LocatorFilterOptions { HasText = "Saved" }).WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });

        Assert.StartsWith("Saved: it was a 7.", await page.GetByTestId("saved-cnn").InnerTextAsync());
        Assert.True(await page.GetByTestId("wrong-cnn").IsDisabledAsync(), "The answer can be corrected twice.");
        var rows = CorrectionStore.Open(fixture.CorrectionsPath).ReadAll();
        Assert.Equal(before + 1, rows.Count);
        var row = rows[^1];
        Assert.Equal(7u, row.Label);
        Assert.Equal("1", row.Predicted);
        Assert.Equal("first", row.ModelName);
        Assert.Equal(version, row.ModelVersion);
        Assert.InRange(row.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Contains(row.Pixels, v => v > 0);
        // The drawing kept is the pad's PNG, 280 x 280.
        Assert.NotNull(row.Drawing);
        var drawing = ImageCodec.Decode(row.Drawing);
        Assert.Equal((280, 280), (drawing.Width, drawing.Height));
        await BrowserFixture.ScreenshotAsync(page, "draw-corrected", output);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task NumberMode_WrongOnOneDigit_StoresThatDigitsPixelsWithTheRightLabel()
    {
        var page = await fixture.OpenDrawPageAsync();
        await page.GetByTestId("mode-number").ClickAsync();
        await DrawPageTests.DrawAsync(page, string.Join(" | ", "42".Select((digit, i) => NumberModeTests.InCell(NumberModeTests.Strokes[digit], i))));
        await DrawPageTests.WaitForAnswerAsync(page);
        Assert.Equal("42", await page.GetByTestId("number-text").InnerTextAsync());
        long before = File.Exists(fixture.CorrectionsPath) ? CorrectionStore.Open(fixture.CorrectionsPath).Count() : 0;

        // Say the second digit (read as 2) was a 3.
        await page.GetByTestId("wrong-digit-1").ClickAsync();
        await page.GetByTestId("label-digit-1-3").ClickAsync();
        await page.GetByTestId("saved-digit-1").Filter(new LocatorFilterOptions { HasText = "Saved" }).WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });

        Assert.StartsWith("Saved: it was a 3.", await page.GetByTestId("saved-digit-1").InnerTextAsync());
        Assert.True(await page.GetByTestId("wrong-digit-1").IsDisabledAsync());
        Assert.False(await page.GetByTestId("wrong-digit-0").IsDisabledAsync(), "Only the corrected digit's button is spent.");
        var rows = CorrectionStore.Open(fixture.CorrectionsPath).ReadAll();
        Assert.Equal(before + 1, rows.Count);
        var row = rows[^1];
        Assert.Equal(3u, row.Label);
        Assert.Equal("2", row.Predicted);
        Assert.Equal("first", row.ModelName);
        // The 28x28 the model saw, sent as MNIST pixels: white ink on black, no drawing kept.
        Assert.Equal(784, row.Pixels.Length);
        Assert.InRange(row.Pixels.Count(v => v > 128), 20, 400);
        Assert.True(row.Pixels[0] < 1 && row.Pixels[^1] < 1, "The corners of an MNIST-format digit are black.");
        Assert.Null(row.Drawing);
        await BrowserFixture.ScreenshotAsync(page, "number-corrected", output);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ADot_IsShownAsNotADigit_NotAsADigitAtSomePercent()
    {
        var page = await fixture.OpenDrawPageAsync();

        // One click: a round dot 20 px wide on the 280 px pad, 7 % of its side.
        await DrawPageTests.DrawAsync(page, "0.5,0.5");
        await DrawPageTests.WaitForAnswerAsync(page);

        foreach (var model in new[] { "cnn", "sdca" })
        {
            Assert.Equal("not a digit", await page.GetByTestId($"digit-{model}").InnerTextAsync());
            Assert.Equal("(a dot)", await page.GetByTestId($"not-digit-{model}").InnerTextAsync());
            Assert.Equal(0, await page.GetByTestId($"model-{model}").Locator(".bars li.best").CountAsync());
            Assert.Contains("a dot", await page.GetByTestId($"reason-{model}").InnerTextAsync());
        }
        await page.Context.CloseAsync();
    }

}
