namespace BatchOrchestrator.Worker.IntegrationTests.Dashboard;

/// <summary>
/// Debian's headless Chromium driven by Playwright (its own browser download cannot work here). Where
/// no chromium is installed the browser tests skip, saying so, unless BATCHORCHESTRATOR_REQUIRE_BROWSER
/// is set (as .ci/run does, after installing it): then a missing browser fails them.
/// </summary>
internal sealed class Browser : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";
    private static readonly string[] Arguments =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private readonly IPlaywright playwright;

    private Browser(IPlaywright playwright, IBrowser chromium)
    {
        this.playwright = playwright;
        Chromium = chromium;
    }

    public IBrowser Chromium { get; }

    /// <summary>Where screenshots go: beside the test results.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public static async Task<Browser> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            var message = $"{ExecutablePath} is not installed (apt-get install chromium); browser tests need it";
            Assert.False(Environment.GetEnvironmentVariable("BATCHORCHESTRATOR_REQUIRE_BROWSER") is { Length: > 0 }, message);
            Assert.Skip(message);
        }

        Directory.CreateDirectory(ScreenshotFolder);
        var playwright = await Playwright.CreateAsync();
        var chromium = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ExecutablePath, Args = Arguments, Headless = true });
        return new Browser(playwright, chromium);
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });

    public async ValueTask DisposeAsync()
    {
        await Chromium.DisposeAsync();
        playwright.Dispose();
    }
}
