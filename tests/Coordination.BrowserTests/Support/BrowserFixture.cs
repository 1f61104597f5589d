using System.Diagnostics;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Coordination.BrowserTests.Support;

/// <summary>One system and one browser for a class of tests; each test has its own browser context (its own cookies).</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public ConsoleSystem System { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    private IPlaywright _playwright = null!;
    public TimeSpan StartTime { get; private set; }

    public async Task InitializeAsync()
    {
        var watch = Stopwatch.StartNew();
        // The browser first: without it nothing below could be checked, and its absence must say so.
        (_playwright, Browser) = await Chromium.LaunchAsync();
        System = await ConsoleSystem.StartAsync();
        StartTime = watch.Elapsed;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.CloseAsync();
        _playwright?.Dispose();
        if (System is not null)
            await System.DisposeAsync();
    }
}

/// <summary>A browser context of one user, with what every console page must satisfy checked as it goes.</summary>
public sealed class UserSession(IBrowserContext context, IPage page, ITestOutputHelper output) : IAsyncDisposable
{
    public IPage Page { get; } = page;
    public List<string> PolicyViolations { get; } = [];

    public static async Task<UserSession> SignInAsync(BrowserFixture fixture, string principal, ITestOutputHelper output)
    {
        var context = await fixture.Browser.NewContextAsync(
            new BrowserNewContextOptions
            {
                BaseURL = fixture.System.BaseAddress.ToString(),
                Locale = "fr-FR",
                TimezoneId = "Europe/Paris",
                ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            }
        );
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        var session = new UserSession(context, page, output);
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
                session.PolicyViolations.Add(message.Text);
        };
        // Unsigned-in, the console sends to sign-in, which in Development is the demo page.
        await page.GotoAsync("/");
        Assert.EndsWith("/console/connexion-demo", new Uri(page.Url).AbsolutePath);
        await session.SubmitAsync($"#principal-{principal}");
        Assert.Contains(principal, await page.Locator("#utilisateur").InnerTextAsync());
        return session;
    }

    /// <summary>Clicks a submit button and waits for the page the server answers with; returns its status.</summary>
    public async Task<int> SubmitAsync(string selector)
    {
        var response = await Page.RunAndWaitForNavigationAsync(() => Page.ClickAsync(selector));
        // A redirect after a POST ends on a GET page: the response is the last one.
        await Page.WaitForLoadStateAsync(LoadState.Load);
        return response?.Status ?? 0;
    }

    public async Task<int> OpenAsync(string path)
    {
        var response = await Page.GotoAsync(path);
        return response?.Status ?? 0;
    }

    /// <summary>Keeps the screen's screenshot as an artifact and fails if it is blank.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Screenshots.PathOf(name);
        var png = await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        var (deviation, colours, width, height) = Screenshots.Measure(png);
        output.WriteLine($"screenshot {name}: {width}x{height}, luminance deviation {deviation:0.0}, {colours} colours, {path}");
        Assert.True(
            deviation > 8 && colours > 16,
            $"the screenshot {name} looks blank (deviation {deviation:0.0}, {colours} colours): {path}"
        );
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        Assert.True(PolicyViolations.Count == 0, "Content-Security-Policy violations: " + string.Join(" | ", PolicyViolations));
        await context.CloseAsync();
    }
}
