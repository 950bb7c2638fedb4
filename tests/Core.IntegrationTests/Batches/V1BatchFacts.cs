namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>The legacy v1 batch-processing job kind, tracked in the same tables, over a real database and the Sandbox.</summary>
public sealed class V1BatchFacts(PostgresServerFixture server)
{
    [Fact]
    public async Task V1Parse_OverTheBatchsDirectory_RecordsEachItemsParseJob_AndFollowsItUp()
    {
        await using var harness = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?> { ["Sources:0:JobType"] = "v1_parse" });
        harness.WriteFiles(4);

        var batches = await harness.RunToRecordedAsync(Ct);
        await harness.FollowUpAllAsync(batches, Ct);

        Assert.Equal(1, await harness.Admin.CounterAsync("v1_batch_creates_total"));
        Assert.Equal(0, (await harness.Admin.CountersAsync()).BatchCreatesTotal);
        var remote = await harness.Get<IBatchApis>().For(ProjectScope.Default).GetV1BatchAsync(await RemoteIdAsync(harness), Ct);
        Assert.Equal(("completed", 4), (remote.Job.Status, remote.Job.TotalItems));
        Assert.NotNull(remote.Job.DirectoryId);
        Assert.Equal(4L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_type = 'v1_parse' and job_id like 'pjb-%'"));
        Assert.Equal(4L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.follow_up_result where job_type = 'v1_parse' and text like '%number%'"));
        Assert.Equal(("ResultsRecorded", "Completed", "v1_parse"), (await harness.Database.ListAsync(
            "select state, remote_status, job_type from orchestrator.batch", r => (r.GetString(0), r.GetString(1), r.GetString(2))))[0]);
    }

    [Fact]
    public async Task V1Parse_WhoseItemsJobsNoV2RouteServes_FailsEachFileSayingWhy_RatherThanWaitingForGood()
    {
        // Where our guess that a v1 parse item's job_id is read at /api/v2/parse/{id} wrong, each look would meet a 404.
        await using var harness = await PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?> { ["Sources:0:JobType"] = "v1_parse" },
            sandboxOptions: new SandboxOptions { Guesses = { V1ParseJobIsV2ParseJob = false } });
        harness.WriteFiles(2);

        var batches = await harness.RunToRecordedAsync(Ct);
        await harness.FollowUpAllAsync(batches, Ct);

        Assert.Equal(0, await harness.Admin.CounterAsync("parse_jobs_created_total"));
        Assert.Equal(2L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'FollowUpFailed'"));
        Assert.Equal(2L, await harness.Database.ScalarAsync<long>(
            "select count(*) from orchestrator.file_version where state = 'Failed' and error_message like 'LlamaCloud no longer has job % or its result (404)%'"));
        Assert.Contains(harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("LlamaCloud no longer has job", StringComparison.Ordinal));
    }

    [Fact]
    public async Task V1Parse_ItemsListedShortOfTheirTotal_AreReadAgainLater_NotTakenAsFilesTheBatchSaidNothingOf()
    {
        await using var harness = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?> { ["Sources:0:JobType"] = "v1_parse" });
        var batch = await SubmitFourListedAsTwoAsync(harness);

        var listedShort = await Assert.ThrowsAsync<LlamaCloudTransientException>(() => harness.RecordAllAsync([batch], Ct));
        var sentBack = await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state in ('Discovered', 'Failed', 'Skipped')");
        await harness.Admin.SetFaultsAsync(new { v1_lists_end_after = 0 });
        await harness.Get<BatchResultRecorder>().RecordAsync(batch, Ct);

        Assert.StartsWith("LlamaCloud listed 2 of 4 of the items of v1 job", listedShort.Message, StringComparison.Ordinal);
        Assert.Equal(0L, sentBack);
        Assert.Equal(4L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id like 'pjb-%'"));
        Assert.Equal(4L, (await harness.Admin.CountersAsync()).UploadsTotal);
    }

    [Fact]
    public async Task V1Parse_ItemsListedShortForAnHour_AreRecordedAsListed_RatherThanLeftForLlamaCloudToForget()
    {
        await using var harness = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?> { ["Sources:0:JobType"] = "v1_parse" });
        var batch = await SubmitFourListedAsTwoAsync(harness);
        await Assert.ThrowsAsync<LlamaCloudTransientException>(() => harness.RecordAllAsync([batch], Ct)); // the first read: its time is kept
        var clock = new ManualClock(DateTimeOffset.UtcNow + BatchResultRecorder.ListedShortPatience - TimeSpan.FromMinutes(1));
        var recorder = ActivatorUtilities.CreateInstance<BatchResultRecorder>(harness.Services, (TimeProvider)clock);

        await Assert.ThrowsAsync<LlamaCloudTransientException>(() => recorder.RecordAsync(batch, Ct));
        clock.Advance(TimeSpan.FromMinutes(2));
        await recorder.RecordAsync(batch, Ct);

        Assert.Equal(2L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id like 'pjb-%'"));
        Assert.Equal("ResultsRecorded", await harness.Database.ScalarAsync<string>("select state from orchestrator.batch where id = $1", batch));
        Assert.Single(harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("recording what was listed", StringComparison.Ordinal));
        // The two left out were in the batch LlamaCloud ran: sent again, their first run's cost still counts against the caps.
        Assert.Equal(
            [(2L, 0L)],
            await harness.Database.ListAsync(
                "select count(*) filter (where settled_at is not null and billed_credits is null), count(*) filter (where billed_credits = 0) from orchestrator.credit_charge where batch_id = $1",
                r => (r.GetInt64(0), r.GetInt64(1)), batch));
    }

    [Fact]
    public async Task V1Parse_ItemsCompletedWithoutAJobIdForAnHour_AreRecordedAsUnreported_RatherThanHoldingTheBatchForGood()
    {
        // job_id is optional on a v1 item (SDK 2.13.0): a completed item without it has no reference to follow up.
        await using var harness = await PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?> { ["Sources:0:JobType"] = "v1_parse" },
            sandboxOptions: new SandboxOptions { Guesses = { OmitOptionalFieldsRate = 1, OmitOptionalFields = ["job_id"] } });
        harness.WriteFiles(2);
        var batch = (await harness.SubmitAllAsync(Ct)).Single();
        await Assert.ThrowsAsync<LlamaCloudTransientException>(() => harness.RecordAllAsync([batch], Ct)); // the first read: its time is kept
        var clock = new ManualClock(DateTimeOffset.UtcNow + BatchResultRecorder.ListedShortPatience + TimeSpan.FromMinutes(1));

        await ActivatorUtilities.CreateInstance<BatchResultRecorder>(harness.Services, (TimeProvider)clock).RecordAsync(batch, Ct);

        Assert.Equal("ResultsRecorded", await harness.Database.ScalarAsync<string>("select state from orchestrator.batch where id = $1", batch));
        Assert.Single(harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("are completed but name no job_id yet", StringComparison.Ordinal));
        // As files a completed batch said nothing of: failed, for a run to send again within MaxAttempts, their first run's
        // cost still counted against the caps, since LlamaCloud ran them.
        Assert.Equal(
            2L,
            await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Failed' and error_message like 'the completed batch reported no result%'"));
        Assert.Equal(
            2L,
            await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.credit_charge where batch_id = $1 and settled_at is not null and billed_credits is null", batch));
    }

    [Theory]
    [InlineData(null, 45, 2, 10)] // no tier: the service's default, whose price no source states, reserved at the dearest; the Sandbox bills its guess
    [InlineData("fast", 1, 5, 1)] // asked for, reserved and billed at that tier
    public async Task V1Parse_IsReservedAtTheTierItAsksFor_OrAtTheDearest_SoADailyCapIsNeverPassed(string? tier, decimal reservedPerFile, int sent, decimal billedPerFile)
    {
        await using var harness = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?>
        {
            ["Sources:0:JobType"] = "v1_parse",
            ["Sources:0:V1ParseTier"] = tier,
            ["Costs:Caps:0:Credits"] = "100",
        });
        harness.WriteFiles(5); // one page each

        var batches = await harness.RunToRecordedAsync(Ct);
        await harness.FollowUpAllAsync(batches, Ct);

        Assert.Equal(5 - sent, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Held' and held_cap = 'global/Day'"));
        Assert.Equal(
            [(sent, reservedPerFile, sent * billedPerFile)],
            await harness.Database.ListAsync(
                "select count(*)::int, max(reserved_credits), sum(billed_credits) from orchestrator.credit_charge",
                r => (r.GetInt32(0), r.GetDecimal(1), r.GetDecimal(2))));
        Assert.True(sent * billedPerFile <= 100);
    }

    [Fact]
    public async Task V1Parse_AnItemThatFailedWithItsJob_KeepsItsReservationCounted_NotReleasedAtZero()
    {
        // Its parse job may have billed the pages it parsed before it failed, and no follow-up reads a failed item's job.
        await using var harness = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?>
        {
            ["Sources:0:JobType"] = "v1_parse",
            ["Sources:0:V1ParseTier"] = "fast",
            ["Costs:Caps:0:Credits"] = "100",
        });
        harness.WriteFile("fails.txt", "a document its parse fails on");
        harness.WriteFile("parses.txt", "a document");
        await harness.Admin.SetFaultsAsync(new { fail_files_matching = "fails" });

        var batches = await harness.RunToRecordedAsync(Ct);
        await harness.FollowUpAllAsync(batches, Ct);

        Assert.Equal(
            [("fails.txt", "Failed", true, true, (decimal?)null), ("parses.txt", "Succeeded", true, true, 1m)],
            await harness.Database.ListAsync(
                """
                select v.relative_path, v.state, r.job_id is not null, c.settled_at is not null, c.billed_credits
                from orchestrator.file_version v
                join orchestrator.batch_result r on r.file_version_id = v.id
                join orchestrator.credit_charge c on c.file_version_id = v.id
                order by 1
                """,
                r => (r.GetString(0), r.GetString(1), r.GetBoolean(2), r.GetBoolean(3), r.IsDBNull(4) ? (decimal?)null : r.GetDecimal(4))));
    }

    [Fact]
    public async Task V1Parse_IsSentAtTheTierItsBatchWasPlannedAt_NotOneSetBeforeItsSubmit_WhichThenFindsItUnderAnOlderConfiguration()
    {
        await using var harness = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?>
        {
            ["Sources:0:JobType"] = "v1_parse",
            ["Sources:0:V1ParseTier"] = "fast",
        });
        harness.WriteFiles(2);
        var batch = await harness.PlanOneBatchAsync(Ct);
        var source = harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Find(PipelineHarness.SourceName)!;
        source.V1ParseTier = "agentic_plus";

        await harness.Get<BatchUploader>().UploadAsync(batch, Ct);
        await harness.Get<BatchSubmitter>().SubmitAsync(batch, Ct);
        await harness.RecordAllAsync([batch], Ct);
        await harness.FollowUpAllAsync([batch], Ct);

        // Reserved, sent, billed and fingerprinted at one tier: the one the batch was planned at.
        Assert.Equal(
            [("fast", "fast", "v1_parse fast")],
            await harness.Database.ListAsync(
                "select distinct c.tier, c.billed_tier, b.configuration_fingerprint from orchestrator.credit_charge c join orchestrator.batch b on b.id = c.batch_id",
                r => (r.GetString(0), r.GetString(1), r.GetString(2))));
        var preview = await harness.Get<Reprocessing>().PreviewAsync(PipelineHarness.SourceName, ReprocessFilter.All, Ct);
        Assert.Equal(("v1_parse agentic_plus", 2), (preview.CurrentFingerprint, preview.ProcessedUnder["v1_parse fast"]));
    }

    [Fact]
    public async Task V1Classify_OverItemIds_RecordsAndFetchesEachClassification()
    {
        await using var harness = await PipelineHarness.CreateAsync(server, Classify(scope: "Items"));
        harness.WriteFiles(3);

        var batches = await harness.RunToRecordedAsync(Ct);
        await harness.FollowUpAllAsync(batches, Ct);

        var remote = await harness.Get<IBatchApis>().For(ProjectScope.Default).GetV1BatchAsync(await RemoteIdAsync(harness), Ct);
        Assert.Null(remote.Job.DirectoryId); // created over item_ids
        Assert.Equal(("classify", 3), (remote.Job.JobType, remote.Job.TotalItems));
        var labels = await harness.Database.ListAsync("select result->>'type' from orchestrator.follow_up_result where job_type = 'v1_classify'", r => r.GetString(0));
        Assert.Equal(3, labels.Count);
        Assert.All(labels, label => Assert.Contains(label, new[] { "invoice", "letter" }));

        // A classification reports no usage: each charge is settled with its reservation standing as the charge, and
        // the Costs page counts them as reporting none rather than as waiting for a bill that never comes.
        var charges = await harness.Database.ListAsync(
            "select billed_credits is null, settled_at is not null, reserved_credits from orchestrator.credit_charge", r => (r.GetBoolean(0), r.GetBoolean(1), r.GetDecimal(2)));
        Assert.Equal(3, charges.Count);
        Assert.All(charges, c => Assert.Equal((true, true, 1m), c));
        var table = await harness.Get<BatchOrchestrator.Persistence.Monitoring.CostQueries>().ByDayAsync(1, 1.25m, TimeZoneInfo.Utc, Ct);
        var day = Assert.Single(table.Rows);
        Assert.Equal((0L, 3L), ((long)table.Value(day, "Not billed yet")!, (long)table.Value(day, "No usage reported")!));
    }

    [Theory]
    [InlineData("Directory")]
    [InlineData("Items")]
    public async Task SubmitAsync_AdoptsTheV1Job_WhenAnEarlierAttemptCreatedItButDiedBeforeRecording(string scope)
    {
        await using var harness = await PipelineHarness.CreateAsync(server, Classify(scope));
        var (batchId, _, _, created) = await CrashedSubmit.PrepareAsync(harness, Ct);

        await harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);

        Assert.Equal(created.Id, (await harness.Get<IBatchStore>().GetAsync(batchId, Ct))!.RemoteBatchId);
        Assert.Equal(1, await harness.Admin.CounterAsync("v1_batch_creates_total"));
    }

    [Fact]
    public async Task CancelBatchAsync_CancelsTheV1JobAtLlamaCloud_AndTheRecordKeepsItemsThatFinished()
    {
        await using var harness = await PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?> { ["Sources:0:JobType"] = "v1_parse" },
            new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(300), FilesMappedPerStep = 1 });
        harness.WriteFiles(12);
        var batches = await harness.SubmitAllAsync(Ct);
        var runId = await harness.Database.ScalarAsync<long>("select run_id from orchestrator.batch");
        await Eventually.WaitAsync(
            async () => (await harness.Get<IBatchApis>().For(ProjectScope.Default).ListV1ItemsAsync(await RemoteIdAsync(harness), 100, 0, Ct)).Items.Any(i => i.Status == "completed"),
            TimeSpan.FromSeconds(20),
            "an item to finish before the cancel");

        var outcomes = (await harness.Get<OperatorCommands>().CancelRunAsync(runId, Ct)).Batches;
        await harness.RecordAllAsync(batches, Ct);

        Assert.Equal(CancelOutcome.CancelSentToApi, outcomes[batches[0]]);
        Assert.Equal(1, await harness.Admin.CounterAsync("v1_batch_cancels_total"));
        Assert.Equal("Cancelled", await harness.Database.ScalarAsync<string>("select remote_status from orchestrator.batch"));
        var skipped = await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Skipped'");
        var succeeded = await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id like 'pjb-%'");
        Assert.True(skipped > 0 && succeeded > 0, $"finished items keep their jobs, the rest are skipped ({succeeded} succeeded, {skipped} skipped)");
        Assert.Equal(12, skipped + succeeded);
        Assert.Equal("Completed", await harness.Database.ScalarAsync<string>("select state from orchestrator.run"));
    }

    // Four files submitted as one v1_parse batch, whose items LlamaCloud then lists as two of a total_size of four.
    private static async Task<long> SubmitFourListedAsTwoAsync(PipelineHarness harness)
    {
        harness.WriteFiles(4);
        var batch = (await harness.SubmitAllAsync(Ct)).Single();
        await harness.Admin.SetFaultsAsync(new { v1_lists_end_after = 2 });
        return batch;
    }

    internal static Dictionary<string, string?> Classify(string scope) => new()
    {
        ["Sources:0:JobType"] = "v1_classify",
        ["Sources:0:V1Scope"] = scope,
        ["Sources:0:ClassifyRules:0:Type"] = "invoice",
        ["Sources:0:ClassifyRules:0:Description"] = "A bill with an amount due",
        ["Sources:0:ClassifyRules:1:Type"] = "letter",
        ["Sources:0:ClassifyRules:1:Description"] = "Correspondence",
    };

    private static Task<string> RemoteIdAsync(PipelineHarness harness) =>
        harness.Database.ScalarAsync<string>("select remote_batch_id from orchestrator.batch");
}
