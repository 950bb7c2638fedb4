using System.Collections.Concurrent;
using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Core.IntegrationTests.FollowUp;

/// <summary>
/// Bills LlamaCloud records after the job ended (docs/costs.md, "Late bills"), over a real database and the Sandbox told
/// to answer <c>usage.credits: null</c> for a job's first reads: the follow-up looks again, and the bill that comes
/// replaces the estimate in the ledger and the caps, is counted once and checked for drift; one that never comes leaves
/// the estimate, said once. A failed job's bill is looked for as a late one.
/// </summary>
public sealed class LateBillFacts(PostgresServerFixture server)
{
    private const string ChargeOf = "from orchestrator.credit_charge c join orchestrator.file_version v on v.id = c.file_version_id where v.relative_path = ";

    [Fact]
    public async Task ABillRecordedAfterTheJobEnded_ReplacesTheEstimate_SoTheDayCapHoldsTheNextFile_AndIsCountedOnce()
    {
        // A Day cap of 25; a.txt is estimated at 10 (one page, agentic) and billed 45 (agentic_plus), recorded one read late.
        await using var harness = await PipelineHarness.CreateAsync(
            server,
            CapSettings.TwoFilesADay(("FollowUp:LateBillLooks", "3"), ("FollowUp:LateBillWindow", "00:00:02")),
            sandboxOptions: Sandbox(s => s.UsageRecordedAfterReads = 1),
            services: s => s.AddMetrics());
        var counted = new ConcurrentDictionary<string, double>(StringComparer.Ordinal);
        using var listener = harness.CountMeasurements(counted);
        harness.WriteFile("a.txt", "alpha");
        await harness.Admin.SetFaultsAsync(new { bill_at_tier = "agentic_plus" });
        var batches = await harness.RunToRecordedAsync(Ct);
        await harness.FollowUpAllAsync(batches, Ct);

        // The first look found the job done and its bill not recorded yet: the charge stands at the estimate, still open.
        Assert.Equal((10m, false), (await harness.Database.ListAsync($"select c.reserved_credits, c.settled_at is not null {ChargeOf} 'a.txt'", r => (r.GetDecimal(0), r.GetBoolean(1))))[0]);

        var billed = await Eventually.WaitAsync(
            async () =>
            {
                await harness.Get<FollowUpProcessor>().FollowUpAsync(batches[0], Ct);
                return await harness.Database.ScalarAsync<decimal?>($"select c.billed_credits {ChargeOf} 'a.txt'");
            },
            b => b is not null,
            TimeSpan.FromSeconds(20),
            "the bill recorded late to reach the ledger (it stayed at the estimate of 10)");
        Assert.Equal(45m, billed);
        Assert.Equal((true, false), (await harness.Database.ListAsync($"select c.drift is not null, c.bill_look_at is not null {ChargeOf} 'a.txt'", r => (r.GetBoolean(0), r.GetBoolean(1))))[0]);

        // Looks made after it change nothing, and count nothing again.
        await harness.Get<FollowUpProcessor>().FollowUpAsync(batches[0], Ct);
        Assert.Equal(45, counted.GetValueOrDefault("batchorchestrator_credits_billed"));
        Assert.Equal(1, counted.GetValueOrDefault("batchorchestrator_cost_drift"));
        Assert.Single(harness.Logs.Lines, l => l.Contains("Cost drift on job", StringComparison.Ordinal));

        // 45 of the day's 25 are spent: the next file waits for the window, where at the estimate it went out.
        harness.WriteFile("b.txt", "beta");
        Assert.Empty(await harness.RunToRecordedAsync(Ct));
        Assert.Equal("docs/Day", await harness.Database.ScalarAsync<string>("select held_cap from orchestrator.file_version where relative_path = 'b.txt'"));
    }

    [Fact]
    public async Task ABillThatNeverComes_LeavesTheEstimateAsTheCharge_AfterTheLastLook_SaidOnce()
    {
        await using var harness = await PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?> { ["FollowUp:LateBillLooks"] = "2", ["FollowUp:LateBillWindow"] = "00:00:01" },
            sandboxOptions: Sandbox(s => s.UsageRecordedAfterReads = 1_000));
        harness.WriteFile("a.txt", "alpha");
        var batches = await harness.RunToRecordedAsync(Ct);
        await harness.FollowUpAllAsync(batches, Ct);

        await Eventually.WaitAsync(
            async () =>
            {
                await harness.Get<FollowUpProcessor>().FollowUpAsync(batches[0], Ct);
                return await harness.Database.ScalarAsync<bool>($"select c.settled_at is not null {ChargeOf} 'a.txt'");
            },
            TimeSpan.FromSeconds(20),
            "the last look for the bill to keep the estimate");
        await harness.Get<FollowUpProcessor>().FollowUpAsync(batches[0], Ct);

        Assert.Equal(
            (true, 2, false, true),
            (await harness.Database.ListAsync(
                $"select c.billed_credits is null, c.bill_looks, c.bill_look_at is not null, c.bill_never_came_at is not null {ChargeOf} 'a.txt'",
                r => (r.GetBoolean(0), r.GetInt32(1), r.GetBoolean(2), r.GetBoolean(3))))[0]);
        var jobId = await harness.Database.ScalarAsync<string>("select job_id from orchestrator.file_version where relative_path = 'a.txt'");
        Assert.Single(harness.Logs.Lines, l => l.Contains($"No bill for job {jobId}", StringComparison.Ordinal) && l.Contains("its estimate of 10 credits stays its charge", StringComparison.Ordinal));
        Assert.Null(await harness.Database.ScalarAsync<DateTime?>("select follow_up_next_at from orchestrator.batch where id = $1", batches[0]));
        var table = await harness.Get<CostQueries>().ByDayAsync(1, 1.25m, TimeZoneInfo.Utc, Ct);
        var day = Assert.Single(table.Rows);
        Assert.Equal((0L, 1L, 1L), ((long)table.Value(day, "Not billed yet")!, (long)table.Value(day, "No usage reported")!, (long)table.Value(day, "Bill never came")!));
    }

    [Fact]
    public async Task AFailedJob_IsChargedWhatItBilled_NotNothing()
    {
        // The SDK gives a FAILED job usage as any other: a job that failed after parsing pages may bill them.
        await using var harness = await PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?> { ["FollowUp:LateBillLooks"] = "3", ["FollowUp:LateBillWindow"] = "00:00:02" },
            sandboxOptions: Sandbox(s => s.BillFailedJobs = true));
        harness.WriteFile("broken.txt", "not fine");
        await harness.Admin.SetFaultsAsync(new { fail_files_matching = "broken" });
        var batches = await harness.RunToRecordedAsync(Ct);
        await harness.FollowUpAllAsync(batches, Ct);
        Assert.Equal("Failed", await harness.Database.ScalarAsync<string>("select state from orchestrator.file_version where relative_path = 'broken.txt'"));

        var billed = await Eventually.WaitAsync(
            async () =>
            {
                await harness.Get<FollowUpProcessor>().FollowUpAsync(batches[0], Ct);
                return await harness.Database.ScalarAsync<decimal?>($"select c.billed_credits {ChargeOf} 'broken.txt'");
            },
            b => b is > 0,
            TimeSpan.FromSeconds(20),
            "the failed job's bill to reach the ledger (it was taken as 0)");
        Assert.Equal(10m, billed);
    }

    [Fact]
    public async Task RemoteHygiene_KeepsAJob_WhileALookForItsBillIsOwed()
    {
        await using var harness = await PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?> { ["RemoteCleanup:Retention"] = "Immediately", ["FollowUp:LateBillLooks"] = "2", ["FollowUp:LateBillWindow"] = "00:00:02" },
            sandboxOptions: Sandbox(s => s.UsageRecordedAfterReads = 1));
        harness.WriteFile("a.txt", "alpha");
        var batches = await harness.RunToRecordedAsync(Ct);
        await harness.FollowUpAllAsync(batches, Ct);

        await harness.Get<RemoteCleaner>().RunAsync(Ct);
        Assert.Equal(0L, await harness.Admin.CounterAsync("parse_job_deletes_total")); // deleted now, its bill could never be read

        await Eventually.WaitAsync(
            async () =>
            {
                await harness.Get<FollowUpProcessor>().FollowUpAsync(batches[0], Ct);
                return await harness.Database.ScalarAsync<decimal?>($"select c.billed_credits {ChargeOf} 'a.txt'");
            },
            b => b is not null,
            TimeSpan.FromSeconds(20),
            "the late bill to be read");
        await harness.Get<RemoteCleaner>().RunAsync(Ct);
        Assert.Equal(1L, await harness.Admin.CounterAsync("parse_job_deletes_total"));
    }

    private static Sandbox.SandboxOptions Sandbox(Action<Sandbox.SandboxGuesses> guess)
    {
        var options = new Sandbox.SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(20) };
        guess(options.Guesses);
        return options;
    }
}
