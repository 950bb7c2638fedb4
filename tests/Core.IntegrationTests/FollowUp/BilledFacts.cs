using System.Collections.Concurrent;

namespace BatchOrchestrator.Core.IntegrationTests.FollowUp;

/// <summary>
/// Billed against expected over a real database and the Sandbox: what a follow-up reads as billed is stored
/// beside the reservation, billing at another tier is flagged as drift, and a result with empty content is
/// sent once more with the source's fallback configuration, each attempt charged, never twice.
/// </summary>
public sealed class BilledFacts(PostgresServerFixture server)
{
    [Fact]
    public async Task AJobBilledAtAnotherTier_IsStoredBesideItsEstimate_AndFlaggedAsDrift_WithAWarningNamingTheJob()
    {
        await using var harness = await PipelineHarness.CreateAsync(server);
        harness.WriteFile("a.txt", "alpha");
        harness.WriteFile("b.txt", "beta");
        await harness.Admin.SetFaultsAsync(new { bill_at_tier = "agentic_plus" });

        var batches = await harness.RunToRecordedAsync(Ct);
        await harness.FollowUpAllAsync(batches, Ct);

        var charges = await harness.Database.ListAsync(
            "select tier || ' ' || reserved_credits || ' ' || billed_tier || ' ' || billed_credits || ' ' || billed_pages || ' ' || (drift is not null) from orchestrator.credit_charge order by file_version_id",
            r => r.GetString(0));
        Assert.Equal(["agentic 10 agentic_plus 45 1 true", "agentic 10 agentic_plus 45 1 true"], charges);
        var jobId = await harness.Database.ScalarAsync<string>("select job_id from orchestrator.file_version where relative_path = 'a.txt'");
        Assert.Contains(harness.Logs.Lines, l => l.Contains("Cost drift on job " + jobId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AJobLookedAtAgain_AfterASinkFailedToTakeItsResult_IsCountedInTheCostMetricsOnce()
    {
        var failing = new FailingSink();
        await using var harness = await PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?> { ["FollowUp:Sinks:0"] = "Failing", ["FollowUp:Sinks:1"] = "Postgres", ["FollowUp:MaxAttempts"] = "3" },
            services: s => s.AddMetrics().AddSingleton<IFollowUpSink>(failing));
        var counted = new ConcurrentDictionary<string, double>(StringComparer.Ordinal);
        using var listener = harness.CountMeasurements(counted);
        harness.WriteFile("a.txt", "alpha");
        await harness.Admin.SetFaultsAsync(new { bill_at_tier = "agentic_plus" }); // 45 credits, and a drift
        var batches = await harness.RunToRecordedAsync(Ct);

        // The first look reads the bill, and the sink refuses the result: the reference is looked at again.
        await Eventually.WaitAsync(
            async () =>
            {
                await harness.Get<FollowUpProcessor>().FollowUpAsync(batches[0], Ct);
                return await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_attempts > 0");
            },
            n => n == 1,
            TimeSpan.FromSeconds(20),
            "the finished result to meet the failing sink");
        failing.Heal();
        await harness.FollowUpAllAsync(batches, Ct);

        Assert.Equal(1L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'FollowedUp'"));
        Assert.Equal(45, counted.GetValueOrDefault("batchorchestrator_credits_billed"));
        Assert.Equal(1, counted.GetValueOrDefault("batchorchestrator_cost_drift"));
        Assert.Single(harness.Logs.Lines, l => l.Contains("Cost drift on job", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EmptyContent_GoesOnceMoreWithTheFallback_InABatchOfItsOwn_EachAttemptCharged_AndNeverAThirdTime()
    {
        // cfg-PARSE_AGENTIC_PLUS is a preset no source documents: the Sandbox refuses it unless told to accept it.
        await using var harness = await PipelineHarness.CreateAsync(server, sandboxOptions: new Sandbox.SandboxOptions { Guesses = { AcceptUndocumentedPresets = true } }, settings: new Dictionary<string, string?>
        {
            ["Sources:0:FallbackConfigurationId"] = "cfg-PARSE_AGENTIC_PLUS",
            ["Costs:Presets:cfg-PARSE_AGENTIC_PLUS:JobType"] = "parse_v2",
            ["Costs:Presets:cfg-PARSE_AGENTIC_PLUS:Tier"] = "agentic_plus",
        });
        harness.WriteFile("good.txt", "fine");
        harness.WriteFile("blank.txt", "scanned image, nothing to read");
        await harness.Admin.SetFaultsAsync(new { empty_results_matching = "blank" });

        await harness.FollowUpAllAsync(await harness.RunToRecordedAsync(Ct), Ct);
        Assert.Equal(1L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where relative_path = 'blank.txt' and escalated_at is not null and batch_id is null"));
        await harness.FollowUpAllAsync(await harness.RunToRecordedAsync(Ct), Ct); // the escalation: empty again
        Assert.Empty(await harness.RunToRecordedAsync(Ct)); // and nothing a third time

        var attempts = await harness.Database.ListAsync(
            """
            select b.configuration_id || ' ' || b.escalation || ' ' || c.tier || ' ' || c.billed_credits
            from orchestrator.credit_charge c join orchestrator.batch b on b.id = c.batch_id
            join orchestrator.file_version fv on fv.id = c.file_version_id
            where fv.relative_path = 'blank.txt' order by b.id
            """,
            r => r.GetString(0));
        Assert.Equal(["cfg-PARSE_AGENTIC false agentic 10", "cfg-PARSE_AGENTIC_PLUS true agentic_plus 45"], attempts);
        Assert.Equal(1L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.credit_charge c join orchestrator.file_version fv on fv.id = c.file_version_id where fv.relative_path = 'good.txt'"));
    }

    private sealed class FailingSink : IFollowUpSink
    {
        private volatile bool healed;

        public string Name => "Failing";

        public void Heal() => healed = true;

        public Task WriteAsync(IReadOnlyList<FollowUpDocument> documents, CancellationToken cancellationToken) =>
            healed ? Task.CompletedTask : throw new IOException("disk full");
    }
}
