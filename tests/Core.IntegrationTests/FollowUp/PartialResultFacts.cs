using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Core.IntegrationTests.FollowUp;

/// <summary>
/// A parse job that COMPLETED with some pages failed (docs/llamacloud-api.md §6.2), over a real database and the
/// Sandbox: its result is delivered, and its record, its .json, a warning and "Needs a person" say which pages it lacks.
/// </summary>
public sealed class PartialResultFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    private string Output => Path.Combine(Harness.Root, "output", PipelineHarness.SourceName);

    [Fact]
    public async Task AJobWithFailedPages_IsDeliveredWithWhatParsed_AndItsRecordJsonLogAndNeedsAPersonNameThePages()
    {
        Harness.WriteFile("scan.txt", "first page\fsecond page\fthird page");
        Harness.WriteFile("whole.txt", "all fine");
        await Harness.Admin.SetFaultsAsync(new { fail_pages_matching = "scan" });

        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);

        var records = await Harness.Database.ListAsync(
            """
            select fv.relative_path || ' ' || br.follow_up_state || ' ' || coalesce(array_to_string(br.failed_pages, ','), '-') || ' ' || coalesce(br.failed_page_error, '-')
            from orchestrator.batch_result br join orchestrator.file_version fv on fv.id = br.file_version_id order by fv.relative_path
            """,
            r => r.GetString(0));
        Assert.Equal(2, records.Count);
        Assert.StartsWith("scan.txt FollowedUp 2 Page 2 could not be processed", records[0], StringComparison.Ordinal);
        Assert.Equal("whole.txt FollowedUp - -", records[1]);

        // Billed and useful: what parsed is delivered, the .md untouched by any notice.
        var markdown = await File.ReadAllTextAsync(Path.Combine(Output, "scan.txt.md"), Ct);
        Assert.Equal("first page\n\nthird page", markdown);
        using (var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Output, "scan.txt.json"), Ct)))
        {
            var partial = json.RootElement.GetProperty("partial");
            Assert.Equal([2], partial.GetProperty("failed_pages").EnumerateArray().Select(p => p.GetInt32()));
            Assert.StartsWith("Page 2 could not be processed", partial.GetProperty("first_error").GetString(), StringComparison.Ordinal);
        }

        Assert.Contains(Harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("scan.txt", StringComparison.Ordinal) && l.Contains("page 2 failed", StringComparison.Ordinal));
        var attention = await Harness.Get<AttentionQueries>().NeedsAPersonAsync([(PipelineHarness.SourceName, "", 3)], TimeSpan.FromHours(1), Ct);
        var row = Assert.Single(attention.Rows, r => r[0] as string == "partial-results");
        Assert.Equal(1L, Convert.ToInt64(attention.Value(row, "Count"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.StartsWith("scan.txt: page 2 (Page 2 could not be processed", attention.Value(row, "Detail") as string, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APartialResult_IsPartialInThePostgresSinksRow_AndInACopyDeliveredFromThatRowAfterItsJobWasDeleted()
    {
        await using var harness = await PipelineHarness.CreateAsync(Server, new Dictionary<string, string?> { ["RemoteCleanup:Retention"] = "Immediately" });
        harness.WriteFile("scan.txt", "first page\fsecond page\fthird page");
        harness.WriteFile("whole.txt", "all fine");
        await harness.Admin.SetFaultsAsync(new { fail_pages_matching = "scan" });
        var batch = (await harness.RunToRecordedAsync(Ct)).Single();
        await harness.FollowUpAllAsync([batch], Ct);
        await harness.Get<RemoteCleaner>().RunAsync(Ct);

        // Renamed after remote hygiene deleted its job: the new name's result comes from the row the sink kept.
        File.Move(Path.Combine(harness.SourcePath, "scan.txt"), Path.Combine(harness.SourcePath, "renamed.txt"));
        Assert.Empty(await harness.PlanAsync(Ct));
        await harness.Get<FollowUpProcessor>().FollowUpAsync(batch, Ct);

        var rows = await harness.Database.ListAsync(
            "select relative_path || ' ' || coalesce(array_to_string(failed_pages, ','), '-') || ' ' || coalesce(failed_page_error, '-') from orchestrator.follow_up_result order by relative_path",
            r => r.GetString(0));
        Assert.Equal(3, rows.Count);
        Assert.StartsWith("renamed.txt 2 Page 2 could not be processed", rows[0], StringComparison.Ordinal);
        Assert.StartsWith("scan.txt 2 Page 2 could not be processed", rows[1], StringComparison.Ordinal);
        Assert.Equal("whole.txt - -", rows[2]);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(harness.Root, "output", PipelineHarness.SourceName, "renamed.txt.json"), Ct));
        Assert.Equal([2], json.RootElement.GetProperty("partial").GetProperty("failed_pages").EnumerateArray().Select(p => p.GetInt32()));
    }

    [Fact]
    public async Task AJobWithNoFailedPages_IsDeliveredWhole_InOneRequest_AndNobodyIsAsked()
    {
        Harness.WriteFile("report.txt", "first page\fsecond page\fthird page");

        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);

        Assert.Equal("first page\n\nsecond page\n\nthird page", await File.ReadAllTextAsync(Path.Combine(Output, "report.txt.md"), Ct));
        using (var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Output, "report.txt.json"), Ct)))
        {
            Assert.False(json.RootElement.TryGetProperty("partial", out _));
        }

        Assert.Equal(1L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'FollowedUp' and failed_pages is null and failed_page_error is null"));
        Assert.Equal(1L, await Harness.Admin.CounterAsync("parse_job_gets_total")); // the pages come with the full texts, not in a request of their own
        var attention = await Harness.Get<AttentionQueries>().NeedsAPersonAsync([(PipelineHarness.SourceName, "", 3)], TimeSpan.FromHours(1), Ct);
        Assert.DoesNotContain(attention.Rows, r => r[0] as string == "partial-results");
        Assert.DoesNotContain(Harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("without some pages", StringComparison.Ordinal));
    }
}
