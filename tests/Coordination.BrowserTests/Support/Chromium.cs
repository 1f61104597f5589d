using Microsoft.Playwright;

namespace Coordination.BrowserTests.Support;

/// <summary>
/// Debian's chromium driven by Playwright through <c>ExecutablePath</c>: Playwright's own browser
/// download is never used (it cannot be reached here). No chromium is a failure that says how to
/// install it, never a silent pass.
/// </summary>
public static class Chromium
{
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("CONSOLE_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";

    private static readonly string[] Arguments =
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        // French date fields (jj/mm/aaaa), as a French user's browser shows them.
        "--lang=fr-FR",
    ];

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException(
                $"The browser tests need Chromium at {ExecutablePath}, which does not exist. Install it with 'apt-get install -y chromium' "
                    + "(.ci/run does), or set CONSOLE_CHROMIUM to its path. Playwright's own browser download is not used."
            );
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(
            new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = Arguments,
                Timeout = 60_000,
            }
        );
        return (playwright, browser);
    }
}
