namespace BatchOrchestrator.Worker.IntegrationTests.Dashboard;

/// <summary>Our pages in a real browser, on the data of a real run, and their buttons doing what they say.</summary>
public sealed class DashboardBrowserFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task EveryPage_ShowsARealRun_AndTheButtonsStartRetryAndCancel()
    {
        await using var browser = await Browser.LaunchAsync();
        await Env.WriteFilesAsync(4, "good");
        // LlamaCloud reports an unsupported file type as an error instead of a job: a failed file, every time.
        await File.WriteAllTextAsync(Path.Combine(Env.Inbox, "bad-000.bin"), "not a document", Ct);
        // A zero-byte file is set aside by the scanner with its reason, never uploaded.
        await File.WriteAllBytesAsync(Path.Combine(Env.Inbox, "empty.txt"), [], Ct);
        await using var host = await WorkerHost.StartAsync(Env.Root, Env.Settings());
        var page = await browser.Chromium.NewPageAsync(new BrowserNewPageOptions { BaseURL = host.Address.ToString(), ViewportSize = new ViewportSize { Width = 1600, Height = 900 } });
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync(); // the Cancel buttons ask first
        var scriptErrors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") { scriptErrors.Add(message.Text); } };
        page.PageError += (_, error) => scriptErrors.Add(error);

        // Sources: "Run now" starts the run that makes all the data below.
        await page.GotoAsync("hangfire/ops/sources");
        await ClickAndWaitForReloadAsync(page, "button:has-text('Run now')");
        Assert.Equal("A run of e2e is queued.", await page.InnerTextAsync("#ops-answer.alert-success")); // what it did, once reloaded
        await Env.WaitForEndedAsync(5, Patience);
        await page.GotoAsync("hangfire/ops/sources");
        var sources = await page.InnerTextAsync("table.ops-table");
        Assert.Contains("e2e", sources, StringComparison.Ordinal);
        Assert.Matches(@"Succeeded\s+4", sources);
        Assert.Matches(@"Failed\s+1", sources);
        Assert.Contains("Sources", await page.InnerTextAsync(".navbar"), StringComparison.Ordinal); // reached from Hangfire's navigation
        Assert.Contains("empty.txt", await page.InnerTextAsync("table[data-section='Files set aside by the scanner']"), StringComparison.Ordinal);
        await Browser.ScreenshotAsync(page, "sources");

        // Runs: the run, its trigger, its progress and its follow-ups (the 4 job references' results fetched).
        await Env.EventuallyAsync(
            () => Env.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'FollowedUp'"),
            n => n >= 4, Patience, "the 4 job references to be followed up");
        await OverviewAsync(page, scriptErrors);
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
        await Env.EventuallyAsync(
            () => Env.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result br join orchestrator.file_version fv on fv.id = br.file_version_id where fv.relative_path = 'bad-000.bin'"),
            n => n >= 2, Patience, "the retried file to be reported by a second batch");

        var good = await Env.Database.ScalarAsync<long>("select id from orchestrator.file_version where relative_path = 'good-000.txt'");
        await Env.EventuallyAsync(
            async () => await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.follow_up_result where file_version_id = $1", good) == 1,
            Patience, "the good file's output to be fetched");
        await page.GotoAsync($"hangfire/ops/files/{good}");
        var output = await page.InnerTextAsync("table[data-section='Output']");
        Assert.Matches("pjb-", output);
        Assert.Contains("FollowedUp", output, StringComparison.Ordinal);
        Assert.Contains("good 0", output, StringComparison.Ordinal); // the start of the parsed markdown

        // Cancel: a batch held in Creating (batch creation answers slowly) is cancelled from the Batches page.
        await Env.Admin.SetFaultsAsync(new { latency_ms = 8_000, routes = new[] { "POST /api/v2/batches" } });
        await File.WriteAllTextAsync(Path.Combine(Env.Inbox, "late.txt"), "late", Ct);
        await page.GotoAsync("hangfire/ops/sources");
        await ClickAndWaitForReloadAsync(page, "button:has-text('Run now')");
        var open = await Env.EventuallyAsync(
            () => Env.Database.ScalarAsync<long>("select coalesce(max(id), 0) from orchestrator.batch where state = 'Creating'"), id => id > 0, Patience, "a batch waiting on its creation");
        await page.GotoAsync("hangfire/ops/batches?open=1");
        await ClickAndWaitForReloadAsync(page, $"tr:has(a[href$='batch={open}']) >> button:has-text('Cancel')");
        await Env.EventuallyAsync(
            async () => await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.batch where id = $1 and cancel_requested_at is not null", open) == 1,
            Patience, "the cancel request to be recorded");
        await page.GotoAsync($"hangfire/ops/batches?run={await Env.Database.ScalarAsync<long>("select run_id from orchestrator.batch where id = $1", open)}");
        Assert.Contains("Cancel requested", await page.InnerTextAsync("table.ops-table thead"), StringComparison.Ordinal);
        await Browser.ScreenshotAsync(page, "batches-cancel");
        await Env.Admin.SetFaultsAsync(new { latency_ms = 0 });

        // A file recorded under an older configuration, sent again from the preview the overview links to.
        await ReprocessAsync(page, scriptErrors);
    }

    // The landing page: what the run did, what needs a person (the permanent failure), today's bars, Hangfire one click away.
    private static async Task OverviewAsync(IPage page, List<string> scriptErrors)
    {
        await page.GotoAsync("hangfire");
        Assert.Equal("Overview", await page.InnerTextAsync("h1.page-header")); // the dashboard's root is the overview
        var lastRun = await page.InnerTextAsync("table[data-section='Last run with changes']");
        Assert.Matches(@"e2e\s+\d+\s+Completed\s+Manual", lastRun);
        var day = page.Locator("table[data-section='Last 24 hours'] tbody tr").First;
        Assert.Equal(["e2e", "1", "0"], (await day.Locator("td").AllInnerTextsAsync()).Take(3));
        var headers = await page.InnerTextAsync("table[data-section='Last 24 hours'] thead");
        Assert.Contains("Set aside", headers, StringComparison.Ordinal);
        Assert.DoesNotContain("Held", headers, StringComparison.Ordinal); // nothing is held: the column stays off
        var attention = await page.InnerTextAsync("#ops-attention");
        Assert.Contains("1 file of e2e failed permanently", attention, StringComparison.Ordinal);
        Assert.Equal("4", await page.GetAttributeAsync($"#chart-outcomes rect[data-series='Succeeded'][data-day='{DateTime.UtcNow:yyyy-MM-dd}']", "data-value"));
        Assert.Equal("1", await page.GetAttributeAsync($"#chart-outcomes rect[data-series='Failed'][data-day='{DateTime.UtcNow:yyyy-MM-dd}']", "data-value"));
        Assert.Equal(1, await page.Locator("#chart-durations circle[data-series='Longest seconds']").CountAsync()); // one day with a run; the others have no point
        // One run that day: its median and longest are equal, and the median's dot rings the longest's rather than hiding under it.
        var radius = async (string series) => double.Parse((await page.GetAttributeAsync($"#chart-durations circle[data-series='{series}']", "r"))!, CultureInfo.InvariantCulture);
        Assert.True(await radius("Median seconds") > await radius("Longest seconds"), "the later series' dots are drawn over the earlier's, a size smaller");
        Assert.Equal("Overview", await page.InnerTextAsync(".navbar li.active"));
        await Browser.ScreenshotAsync(page, "overview");
        await page.ClickAsync("#ops-attention >> text=Failed files");
        Assert.Contains("bad-000.bin", await page.InnerTextAsync("table.ops-table"), StringComparison.Ordinal);
        await page.GotoAsync("hangfire/ops/overview");
        await page.ClickAsync("#ops-realtime");
        Assert.Contains("Realtime Graph", await page.InnerTextAsync("body"), StringComparison.OrdinalIgnoreCase); // Hangfire's own home, one click away
        Assert.Empty(scriptErrors);
    }

    private async Task ReprocessAsync(IPage page, List<string> scriptErrors)
    {
        // good-001.txt was (as far as the table says) processed under a configuration this source no longer uses.
        await Env.Database.ExecuteAsync("""
            with old as (
                insert into orchestrator.batch (run_id, source_name, state, job_type, configuration_id, directory_name, file_count, finished_at)
                select run_id, source_name, 'ResultsRecorded', 'parse_v2', 'cfg-PARSE_FAST', 'bo-old-config', 1, now()
                from orchestrator.batch limit 1 returning id)
            update orchestrator.file_version set batch_id = (select id from old) where relative_path = 'good-001.txt'
            """);
        await page.GotoAsync("hangfire/ops/overview");
        await page.ClickAsync("#ops-attention >> text=Preview a reprocess");
        Assert.Contains("Selected: 1 of 1 files", await page.InnerTextAsync("#ops-reprocess-summary"), StringComparison.Ordinal);
        Assert.Contains("parse_v2 cfg-PARSE_FAST", await page.InnerTextAsync("table[data-section='Files processed under an older configuration']"), StringComparison.Ordinal);
        await Browser.ScreenshotAsync(page, "reprocess");

        // The selection grows behind the preview's back: the button is refused, and says why at once, on the same page.
        await Env.Database.ExecuteAsync("""
            update orchestrator.file_version
            set batch_id = (select batch_id from orchestrator.file_version where relative_path = 'good-001.txt')
            where relative_path = 'good-002.txt'
            """);
        await page.ClickAsync("#ops-reprocess");
        var refusal = await page.WaitForSelectorAsync("#ops-answer.alert-danger", new PageWaitForSelectorOptions { State = WaitForSelectorState.Visible });
        Assert.StartsWith("Nothing sent: the selection grew from 1 to 2 files since the preview", await refusal!.InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await page.IsEnabledAsync("#ops-reprocess")); // back, for once the operator has looked again
        Assert.Equal(1, scriptErrors.RemoveAll(e => e.Contains("status of 422", StringComparison.Ordinal))); // the browser logs the refusal's answer itself
        Assert.Equal(0, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where relative_path in ('good-001.txt', 'good-002.txt') and state = 'Queued'"));

        await page.ReloadAsync();
        Assert.Contains("Selected: 2 of 2 files", await page.InnerTextAsync("#ops-reprocess-summary"), StringComparison.Ordinal);
        await ClickAndWaitForReloadAsync(page, "#ops-reprocess");
        Assert.StartsWith("2 files of e2e are queued again under parse_v2 cfg-PARSE_AGENTIC", await page.InnerTextAsync("#ops-answer.alert-success"), StringComparison.Ordinal);
        await Env.EventuallyAsync(
            () => Env.Database.ScalarAsync<long>(
                "select count(*) from orchestrator.file_version v join orchestrator.batch b on b.id = v.batch_id where v.relative_path = 'good-001.txt' and b.configuration_fingerprint = 'parse_v2 cfg-PARSE_AGENTIC' and v.state = 'Succeeded'"),
            n => n == 1, Patience, "good-001.txt to be processed again under the current configuration");
        Assert.Empty(scriptErrors);
    }

    // A button posts, then reloads the page once answered: wait for that reload, or the next navigation races it.
    private static async Task ClickAndWaitForReloadAsync(IPage page, string selector)
    {
        await page.EvaluateAsync("() => { window.beforeReload = true; }");
        await page.ClickAsync(selector);
        await page.WaitForFunctionAsync("() => window.beforeReload === undefined && document.readyState === 'complete'");
    }
}
