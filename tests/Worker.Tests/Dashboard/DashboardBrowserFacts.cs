using BatchOrchestrator.TestSupport;
using Microsoft.Playwright;

namespace BatchOrchestrator.Worker.Tests.Dashboard;

/// <summary>Our pages in a real browser, on the data of a real run, and their buttons doing what they say.</summary>
public sealed class DashboardBrowserFacts(PostgresServerFixture server) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private TestEnvironment env = null!;

    public async ValueTask InitializeAsync() => env = await TestEnvironment.CreateAsync(server, "browser");

    public ValueTask DisposeAsync() => env.DisposeAsync();

    [Fact]
    public async Task EveryPage_ShowsARealRun_AndTheButtonsStartRetryAndCancel()
    {
        await using var browser = await Browser.LaunchAsync();
        await env.WriteFilesAsync(4, "good");
        // LlamaCloud reports an unsupported file type as an error instead of a job: a failed file, every time.
        await File.WriteAllTextAsync(Path.Combine(env.Inbox, "bad-000.bin"), "not a document", TestContext.Current.CancellationToken);
        // A zero-byte file is set aside by the scanner with its reason, never uploaded.
        await File.WriteAllBytesAsync(Path.Combine(env.Inbox, "empty.txt"), [], TestContext.Current.CancellationToken);
        await using var host = await WorkerHost.StartAsync(env.Root, env.Settings());
        var page = await browser.Chromium.NewPageAsync(new BrowserNewPageOptions { BaseURL = host.Address.ToString(), ViewportSize = new ViewportSize { Width = 1600, Height = 900 } });
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync(); // the Cancel buttons ask first

        // Sources: "Run now" starts the run that makes all the data below.
        await page.GotoAsync("hangfire/ops/sources");
        await ClickAndWaitForReloadAsync(page, "button:has-text('Run now')");
        await env.WaitForEndedAsync(5, Patience);
        await page.GotoAsync("hangfire/ops/sources");
        var sources = await page.InnerTextAsync("table.ops-table");
        Assert.Contains("e2e", sources, StringComparison.Ordinal);
        Assert.Matches(@"Succeeded\s+4", sources);
        Assert.Matches(@"Failed\s+1", sources);
        Assert.Contains("Sources", await page.InnerTextAsync(".navbar"), StringComparison.Ordinal); // reached from Hangfire's navigation
        Assert.Contains("empty.txt", await page.InnerTextAsync("table[data-section='Files set aside by the scanner']"), StringComparison.Ordinal);
        await Browser.ScreenshotAsync(page, "sources");

        // Runs: the run, its trigger, its progress and its follow-ups (the 4 job references' results fetched).
        await Eventually.WaitAsync(
            () => env.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'FollowedUp'"),
            n => n >= 4, Patience, "the 4 job references to be followed up");
        await page.ClickAsync(".navbar >> text=Runs");
        var runs = await page.InnerTextAsync("table.ops-table");
        Assert.Contains("Manual", runs, StringComparison.Ordinal);
        Assert.Contains("5/5", runs, StringComparison.Ordinal);
        Assert.Contains("4/4", runs, StringComparison.Ordinal);
        Assert.Contains("Follow-ups", await page.InnerTextAsync("table.ops-table thead"), StringComparison.Ordinal);
        await Browser.ScreenshotAsync(page, "runs");

        // Batches: status, file counts.
        await page.ClickAsync(".navbar >> text=Batches");
        var batches = await page.InnerTextAsync("table.ops-table");
        Assert.Contains("ResultsRecorded", batches, StringComparison.Ordinal);
        Assert.Matches(@"Succeeded\s+4", batches);
        await Browser.ScreenshotAsync(page, "batches");

        // Files: search by path, then the file's own page with its history and error.
        await page.ClickAsync(".navbar >> text=Files");
        await page.FillAsync("#ops-file-search", "bad-");
        await page.ClickAsync("button:has-text('Search')");
        var found = await page.InnerTextAsync("table.ops-table");
        Assert.Contains("bad-000.bin", found, StringComparison.Ordinal);
        Assert.DoesNotContain("good-000.txt", found, StringComparison.Ordinal);
        await Browser.ScreenshotAsync(page, "files");
        await page.ClickAsync("table.ops-table >> text=bad-000.bin");
        Assert.Contains("Batches and job references", await page.InnerTextAsync("body"), StringComparison.Ordinal);
        var versions = await page.InnerTextAsync("table[data-section='Versions']");
        Assert.Contains("Failed", versions, StringComparison.Ordinal);
        Assert.Contains("Permanent", versions, StringComparison.Ordinal); // its error class
        Assert.Contains("Unsupported file type", versions, StringComparison.Ordinal);
        await Browser.ScreenshotAsync(page, "file");

        // A permanent failure is left alone by "Retry failed"; the second button sends it again (and it fails again: still a .bin).
        await ClickAndWaitForReloadAsync(page, "button:has-text('Retry them, permanent failures too')");
        await Eventually.WaitAsync(
            () => env.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result br join orchestrator.file_version fv on fv.id = br.file_version_id where fv.relative_path = 'bad-000.bin'"),
            n => n >= 2, Patience, "the retried file to be reported by a second batch");

        var good = await env.Database.ScalarAsync<long>("select id from orchestrator.file_version where relative_path = 'good-000.txt'");
        await Eventually.WaitAsync(
            async () => await env.Database.ScalarAsync<long>("select count(*) from orchestrator.follow_up_result where file_version_id = $1", good) == 1,
            Patience, "the good file's output to be fetched");
        await page.GotoAsync($"hangfire/ops/files/{good}");
        var output = await page.InnerTextAsync("table[data-section='Output']");
        Assert.Matches("pjb-", output);
        Assert.Contains("FollowedUp", output, StringComparison.Ordinal);
        Assert.Contains("good 0", output, StringComparison.Ordinal); // the start of the parsed markdown

        // Cancel: a batch held in Creating (batch creation answers slowly) is cancelled from the Batches page.
        await env.Admin.SetFaultsAsync(new { latency_ms = 8_000, routes = new[] { "POST /api/v2/batches" } });
        await File.WriteAllTextAsync(Path.Combine(env.Inbox, "late.txt"), "late", TestContext.Current.CancellationToken);
        await page.GotoAsync("hangfire/ops/sources");
        await ClickAndWaitForReloadAsync(page, "button:has-text('Run now')");
        var open = await Eventually.WaitAsync(
            () => env.Database.ScalarAsync<long>("select coalesce(max(id), 0) from orchestrator.batch where state = 'Creating'"), id => id > 0, Patience, "a batch waiting on its creation");
        await page.GotoAsync("hangfire/ops/batches?open=1");
        await ClickAndWaitForReloadAsync(page, $"tr:has(a[href$='batch={open}']) >> button:has-text('Cancel')");
        await Eventually.WaitAsync(
            async () => await env.Database.ScalarAsync<long>("select count(*) from orchestrator.batch where id = $1 and cancel_requested_at is not null", open) == 1,
            Patience, "the cancel request to be recorded");
        await page.GotoAsync($"hangfire/ops/batches?run={await env.Database.ScalarAsync<long>("select run_id from orchestrator.batch where id = $1", open)}");
        Assert.Contains("Cancel requested", await page.InnerTextAsync("table.ops-table thead"), StringComparison.Ordinal);
        await Browser.ScreenshotAsync(page, "batches-cancel");
        await env.Admin.SetFaultsAsync(new { latency_ms = 0 });
    }

    // Hangfire's data-ajax buttons POST, then reload the page: wait for that reload, or the next navigation races it.
    private static async Task ClickAndWaitForReloadAsync(IPage page, string selector)
    {
        await page.EvaluateAsync("() => { window.beforeReload = true; }");
        await page.ClickAsync(selector);
        await page.WaitForFunctionAsync("() => window.beforeReload === undefined && document.readyState === 'complete'");
    }
}
