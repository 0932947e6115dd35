using Microsoft.Playwright;
using Xunit.Abstractions;

namespace MlNetDigits.Web.Tests.Browser;

/// <summary>The draw page in Chromium: mouse strokes on the canvas, the answers of both models, undo and clear, a phone screen.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DrawPageTests(BrowserFixture fixture, ITestOutputHelper output)
{
    /// <summary>Strokes in canvas fractions (0..1): a 1, a 0 and a 7 as a person draws them.</summary>
    public static TheoryData<string, string> Digits => new()
    {
        { "1", "0.52,0.12 0.50,0.50 0.48,0.88" },
        { "0", Ellipse(0.5, 0.5, 0.24, 0.36, 36) },
        { "7", "0.22,0.18 0.50,0.18 0.78,0.18 | 0.78,0.18 0.62,0.50 0.46,0.88" },
    };

    [Theory]
    [MemberData(nameof(Digits))]
    public async Task Draw_MouseStrokesShowThePredictedDigit(string digit, string strokes)
    {
        var page = await fixture.OpenDrawPageAsync();

        await DrawAsync(page, strokes);
        await WaitForAnswerAsync(page);

        Assert.Equal(digit, await page.GetByTestId("digit-cnn").InnerTextAsync());
        Assert.Equal(10, await page.GetByTestId("model-cnn").Locator(".bars li").CountAsync());
        Assert.Equal(10, await page.GetByTestId("model-sdca").Locator(".bars li").CountAsync());
        Assert.Matches("^[0-9]$", await page.GetByTestId("digit-sdca").InnerTextAsync());
        Assert.StartsWith("data:image/png;base64,", await page.GetByTestId("seen").GetAttributeAsync("src"));
        var width = await page.GetByTestId("model-cnn").Locator($".bars li[data-class='{digit}'] .fill").EvaluateAsync<double>("e => e.getBoundingClientRect().width");
        Assert.True(width > 0, "The winning digit's probability bar has no width.");
        await BrowserFixture.ScreenshotAsync(page, $"draw-{digit}", output);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task UndoAndClear_RemoveStrokesAndTheAnswerFollows()
    {
        var page = await fixture.OpenDrawPageAsync();
        await DrawAsync(page, "0.52,0.12 0.50,0.50 0.48,0.88");
        await WaitForAnswerAsync(page);
        Assert.Equal("1", await page.GetByTestId("digit-cnn").InnerTextAsync());

        // A second stroke across the top makes it something else; undo brings the 1 back.
        await DrawAsync(page, "0.20,0.15 0.80,0.15");
        await WaitForAnswerAsync(page);
        var seenWithBar = await page.GetByTestId("seen").GetAttributeAsync("src");
        await page.GetByTestId("undo").ClickAsync();
        await WaitForAnswerAsync(page);
        Assert.NotEqual(seenWithBar, await page.GetByTestId("seen").GetAttributeAsync("src"));
        Assert.Equal("1", await page.GetByTestId("digit-cnn").InnerTextAsync());

        await page.GetByTestId("clear").ClickAsync();
        await page.WaitForFunctionAsync("document.body.dataset.state === 'empty' && document.body.dataset.answered === document.body.dataset.revision");
        Assert.Equal("Draw a digit.", await page.GetByTestId("status").InnerTextAsync());
        Assert.Equal("–", await page.GetByTestId("digit-cnn").InnerTextAsync());
        Assert.Null(await page.GetByTestId("seen").GetAttributeAsync("src"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task PhoneScreen_PadFitsAndTouchStrokesAreRecognised()
    {
        var page = await OpenPhoneAsync();

        var box = (await page.GetByTestId("pad").BoundingBoxAsync())!;
        Assert.InRange(box.Width, 250, 390 - 2 * 16);
        Assert.Equal(box.Width, box.Height, 1);
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "The page scrolls sideways on a phone.");

        await TouchDrawAsync(page, "0.52,0.12 0.50,0.50 0.48,0.88");
        await WaitForAnswerAsync(page);

        Assert.Equal("1", await page.GetByTestId("digit-cnn").InnerTextAsync());
        await BrowserFixture.ScreenshotAsync(page, "draw-phone", output);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task PhoneScreen_AnswersAndUnsureReasonsAreVisibleWithoutScrolling()
    {
        var page = await OpenPhoneAsync();

        // A diagonal stroke is no digit: the test models answer it unsure.
        await TouchDrawAsync(page, "0.2,0.2 0.8,0.8");
        await WaitForAnswerAsync(page);

        Assert.Equal(0, await page.EvaluateAsync<double>("window.scrollY"));
        var viewport = await page.EvaluateAsync<double>("window.innerHeight");
        var unsure = 0;
        foreach (var model in new[] { "cnn", "sdca" })
        {
            // The whole panel: name, digit, confidence, the reason when unsure, and the ten bars.
            var bottom = await page.GetByTestId($"model-{model}").EvaluateAsync<double>("e => e.getBoundingClientRect().bottom");
            Assert.True(bottom <= viewport, $"The {model} answer ends at {bottom:0} px, below the {viewport:0} px screen: the user must scroll to see it.");
            if (await page.GetByTestId($"unsure-{model}").CountAsync() == 0)
                continue;
            unsure++;
            var reason = page.GetByTestId($"reason-{model}");
            Assert.True(await reason.IsVisibleAsync(), $"The {model} answer is marked unsure but does not say why in visible text.");
            Assert.Matches("confidence threshold|minimum margin|[Nn]ot digit-like|too little ink|a dot", await reason.InnerTextAsync());
        }
        Assert.True(unsure > 0, "Neither test model was unsure of the diagonal stroke; draw something they are unsure of.");
        await BrowserFixture.ScreenshotAsync(page, "draw-phone-unsure", output);
        await page.Context.CloseAsync();
    }

    /// <summary>The draw page on a 390x844 phone screen with touch.</summary>
    private async Task<IPage> OpenPhoneAsync()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BypassCSP = true, // WaitForFunction evaluates with eval; ContentSecurityPolicyTests runs the pages under the policy
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            DeviceScaleFactor = 2,
            IsMobile = true,
            HasTouch = true,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl);
        await page.WaitForFunctionAsync("document.body.dataset.ready === 'true'");
        return page;
    }

    /// <summary>
    /// Draws "x,y x,y ... | x,y ..." (canvas fractions, strokes separated by '|') with pointer events of type "touch", as a
    /// finger sends them.
    /// </summary>
    private static Task TouchDrawAsync(IPage page, string strokes) => page.EvaluateAsync("""
        strokes => {
          const pad = document.getElementById('pad');
          const box = pad.getBoundingClientRect();
          const send = (type, [fx, fy]) => pad.dispatchEvent(new PointerEvent(type, {
            pointerId: 7, pointerType: 'touch', isPrimary: true, bubbles: true, cancelable: true, button: 0, buttons: 1,
            clientX: box.left + fx * box.width, clientY: box.top + fy * box.height }));
          for (const stroke of strokes.split('|')) {
            const points = stroke.trim().split(' ').map(p => p.split(',').map(Number));
            send('pointerdown', points[0]);
            for (let k = 1; k < points.length; k++)
              for (let i = 1; i <= 20; i++)
                send('pointermove', [0, 1].map(d => points[k - 1][d] + (points[k][d] - points[k - 1][d]) * i / 20));
            send('pointerup', points[points.length - 1]);
          }
        }
        """, strokes);

    /// <summary>Draws "x,y x,y ... | x,y ..." (canvas fractions, strokes separated by '|') with the mouse.</summary>
    internal static async Task DrawAsync(IPage page, string strokes)
    {
        var box = (await page.GetByTestId("pad").BoundingBoxAsync())!;
        foreach (var stroke in strokes.Split('|', StringSplitOptions.TrimEntries))
        {
            var points = stroke.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray())
                .Select(p => (X: (float)(box.X + p[0] * box.Width), Y: (float)(box.Y + p[1] * box.Height))).ToArray();
            await page.Mouse.MoveAsync(points[0].X, points[0].Y);
            await page.Mouse.DownAsync();
            foreach (var (x, y) in points.Skip(1))
                await page.Mouse.MoveAsync(x, y, new MouseMoveOptions { Steps = 6 });
            await page.Mouse.UpAsync();
        }
    }

    /// <summary>Waits until the page shows the answer to the latest drawing (no request pending).</summary>
    internal static Task WaitForAnswerAsync(IPage page) =>
        page.WaitForFunctionAsync("document.body.dataset.state === 'answered' && document.body.dataset.answered === document.body.dataset.revision", null,
            new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 50 });


    internal static string Ellipse(double cx, double cy, double rx, double ry, int steps) =>
        string.Join(' ', Enumerable.Range(0, steps + 1).Select(i =>
        {
            var a = 2 * Math.PI * i / steps - Math.PI / 2;
            return FormattableString.Invariant($"{cx + rx * Math.Cos(a):0.000},{cy + ry * Math.Sin(a):0.000}");
        }));
}
