using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Retries;

namespace BatchOrchestrator.Persistence.IntegrationTests.Batches;

public sealed partial class BatchStoreFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    private NpgsqlBatchStore Store => new(Database.DataSource);

    [Fact]
    public async Task RecordSubmittedAsync_MovesUploadedFilesToSubmitted_AndSchedulesThePoll()
    {
        var batchId = await UploadedBatchAsync(files: 3);
        await Store.RecordSubmittedAsync(batchId, "bat-1", BatchState.Pending, TimeSpan.FromSeconds(-1), await Seed.BatchLeaseAsync(Database, batchId, Ct), Ct);

        var batch = await Store.GetAsync(batchId, Ct);
        Assert.Equal((BatchState.Pending, "bat-1"), (batch!.State, batch.RemoteBatchId));
        Assert.Equal(3L, await Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where batch_id = $1 and state = 'Submitted'", batchId));
    }

    [Fact]
    public async Task TheSubmitStepsWrites_OfAHolderWhoseLeaseWasTakenOver_AreRefused_AndChangeNothing()
    {
        var batchId = await UploadedBatchAsync(files: 2);
        var stale = await Seed.BatchLeaseAsync(Database, batchId, Ct);
        var holder = await Seed.BatchLeaseAsync(Database, batchId, Ct); // its lease expired, and another step took it over

        await Assert.ThrowsAsync<LeaseLostException>(() => Store.RecordPreexistingBatchesAsync(batchId, ["bat-old"], stale, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.RecordCreateSentAsync(batchId, sent: true, stale, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.RecordSubmittedAsync(batchId, "bat-stale", BatchState.Pending, TimeSpan.Zero, stale, Ct));

        var window = await Store.GetAdoptionWindowAsync(batchId, Ct);
        Assert.Equal((null, null), (window.Preexisting, window.CreateSentAt));
        Assert.Equal((BatchState.Creating, null), ((await Store.GetAsync(batchId, Ct))!.State, (await Store.GetAsync(batchId, Ct))!.RemoteBatchId));
        Assert.Equal(0L, await Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where batch_id = $1 and state = 'Submitted'", batchId));

        await Store.RecordCreateSentAsync(batchId, sent: true, holder, Ct);
        await Store.RecordSubmittedAsync(batchId, "bat-1", BatchState.Pending, TimeSpan.Zero, holder, Ct);
        Assert.Equal("bat-1", (await Store.GetAsync(batchId, Ct))!.RemoteBatchId);
    }

    [Fact]
    public async Task ClaimDueAsync_GivesEachDueBatchToOnlyOneOfTwoConcurrentClaimers()
    {
        var ids = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            var batchId = await UploadedBatchAsync(files: 1);
            await Store.RecordSubmittedAsync(batchId, $"bat-{i}", BatchState.Running, TimeSpan.FromSeconds(-1), await Seed.BatchLeaseAsync(Database, batchId, Ct), Ct);
            ids.Add(batchId);
        }

        var claims = await Task.WhenAll(
            Store.ClaimDueAsync(4, TimeSpan.FromMinutes(5), Ct),
            Store.ClaimDueAsync(4, TimeSpan.FromMinutes(5), Ct));

        var claimed = claims.SelectMany(c => c.Select(b => b.Id)).ToList();
        Assert.Equal(claimed.Count, claimed.Distinct().Count());
        Assert.Equal(ids.Order(), claimed.Order());
        Assert.Empty(await Store.ClaimDueAsync(10, TimeSpan.FromMinutes(5), Ct));
    }

    [Fact]
    public async Task SavePollOutcomesAsync_WritesEveryOutcomeInOneStatement()
    {
        var a = await UploadedBatchAsync(files: 1);
        var b = await UploadedBatchAsync(files: 1);
        await Store.RecordSubmittedAsync(a, "bat-a", BatchState.Pending, TimeSpan.Zero, await Seed.BatchLeaseAsync(Database, a, Ct), Ct);
        await Store.RecordSubmittedAsync(b, "bat-b", BatchState.Pending, TimeSpan.Zero, await Seed.BatchLeaseAsync(Database, b, Ct), Ct);
        var later = TimeSpan.FromMinutes(3);

        await Store.SavePollOutcomesAsync([new PollOutcome(a, BatchState.Completed, later, null), new PollOutcome(b, BatchState.Throttled, later, "slow")], Ct);

        Assert.Equal(BatchState.Completed, (await Store.GetAsync(a, Ct))!.State);
        Assert.Equal(BatchState.Throttled, (await Store.GetAsync(b, Ct))!.State);
        Assert.Equal(2L, await Database.ScalarAsync<long>("select count(*) from orchestrator.batch where poll_count = 1"));
        Assert.Equal(2L, await Database.ScalarAsync<long>("select count(*) from orchestrator.batch where next_poll_at = last_polled_at + interval '3 minutes'")); // from the database's now
    }

    [Fact]
    public async Task RecordResultsAsync_GivesEachFileItsJobReferenceOrError_MarksUnmappedFiles_AndClosesTheRun()
    {
        var batchId = await SubmittedBatchAsync(files: 3, BatchState.Completed);
        var remoteIds = await RemoteFileIdsAsync(batchId);
        RemoteBatchResult[] results =
        [
            new(remoteIds[0], new RemoteJobReference("parse_v2", "pjb-1"), null),
            new(remoteIds[1], null, "Unsupported file type: .exe"),
        ];

        var summary = await Store.RecordResultsAsync(batchId, BatchState.Completed, V2(results), Policy, Ct);

        // The file without a result failed in a way a later batch may cure, at its first of three attempts: queued again.
        Assert.Equal(new RecordSummary(1, 1, 1, AlreadyRecorded: false, Skipped: 0, FollowUps: 1, SentBack: new SentBack(Queued: 1, UsedUp: 0)), summary);
        var states = await Database.ListAsync(
            "select state, job_id, error_message, error_class, process_attempts from orchestrator.file_version where batch_id = $1 order by id",
            r => (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetInt32(4)),
            batchId);
        Assert.Equal(("Succeeded", "pjb-1", (string?)null, (string?)null, 1), states[0]);
        Assert.Equal(("Failed", (string?)null, "Unsupported file type: .exe", "Permanent", 1), states[1]);
        Assert.Equal(("Failed", "Transient", 1), (states[2].Item1, states[2].Item4, states[2].Item5));
        Assert.Equal("Completed", await Database.ScalarAsync<string>("select r.state from orchestrator.run r join orchestrator.batch b on b.run_id = r.id where b.id = $1", batchId));
        Assert.Equal(2L, await Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where batch_id = $1", batchId));
    }

    [Fact]
    public async Task RecordResultsAsync_KeepsTheFirstOfTwoResultsForOneFile_AndLedgersAResultForAFileNotOurs()
    {
        var batchId = await SubmittedBatchAsync(files: 1, BatchState.Completed);
        var id = (await RemoteFileIdsAsync(batchId))[0];
        RemoteBatchResult[] results =
        [
            new(id, new RemoteJobReference("parse_v2", "pjb-first"), null),
            new(id, new RemoteJobReference("parse_v2", "pjb-second"), null),
            new("dfl-not-ours", new RemoteJobReference("parse_v2", "pjb-stray"), null),
        ];

        await Store.RecordResultsAsync(batchId, BatchState.Completed, V2(results), Policy, Ct);

        Assert.Equal("pjb-first", await Database.ScalarAsync<string>("select job_id from orchestrator.file_version where batch_id = $1", batchId));
        var ledger = await Database.ListAsync(
            "select source_directory_file_id, job_id, file_version_id is null from orchestrator.batch_result where batch_id = $1 order by job_id",
            r => (r.GetString(0), r.GetString(1), r.GetBoolean(2)),
            batchId);
        Assert.Equal([(id, "pjb-first", false), ("dfl-not-ours", "pjb-stray", true)], ledger);
    }

    [Fact]
    public async Task RecordResultsAsync_IsANoOp_WhenRunTwice()
    {
        var batchId = await SubmittedBatchAsync(files: 2, BatchState.Completed);
        var remoteIds = await RemoteFileIdsAsync(batchId);
        RemoteBatchResult[] results = [.. remoteIds.Select((id, i) => new RemoteBatchResult(id, new RemoteJobReference("parse_v2", $"pjb-{i}"), null))];

        await Store.RecordResultsAsync(batchId, BatchState.Completed, V2(results), Policy, Ct);
        var again = await Store.RecordResultsAsync(batchId, BatchState.Completed, V2(results), Policy, Ct);

        Assert.True(again.AlreadyRecorded);
        Assert.Equal(2L, await Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result"));
    }

    [Fact]
    public async Task RecordResultsAsync_ReturnsFilesToTheQueue_WhenTheBatchFailedAsAWhole()
    {
        var batchId = await SubmittedBatchAsync(files: 2, BatchState.Failed);

        var summary = await Store.RecordResultsAsync(batchId, BatchState.Failed, [], Policy, Ct);

        Assert.Equal(new SentBack(Queued: 2, UsedUp: 0), summary.SentBack);
        Assert.Equal(2L, await Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Discovered' and batch_id is null and process_attempts = 1"));
        Assert.Equal("Failed", await Database.ScalarAsync<string>("select remote_status from orchestrator.batch where id = $1", batchId));
    }

    [Fact]
    public async Task RecordResultsAsync_FailsFilesForGood_WhenTheBatchFailedAsAWholeAtTheLastAttempt()
    {
        var batchId = await SubmittedBatchAsync(files: 2, BatchState.Failed);
        await Database.ExecuteAsync("update orchestrator.file_version set process_attempts = 2 where batch_id = $1", batchId);

        var summary = await Store.RecordResultsAsync(batchId, BatchState.Failed, [], new RecordPolicy(MaxAttempts: 3, FollowUpAt: null), Ct);

        Assert.Equal(new SentBack(Queued: 0, UsedUp: 2), summary.SentBack); // counted as written, not guessed from the class

        var rows = await Database.ListAsync(
            "select state, error_class, process_attempts, batch_id is not null from orchestrator.file_version order by id", r => (r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetBoolean(3)));
        Assert.All(rows, r => Assert.Equal(("Failed", "Transient", 3, true), r));
    }

    [Fact]
    public async Task RecordResultsAsync_CountsTheReportedFailuresALaterBatchMayCure_QueuedBelowMaxAttemptsAndForGoodAtIt()
    {
        var batchId = await SubmittedBatchAsync(files: 3, BatchState.Completed);
        var remoteIds = await RemoteFileIdsAsync(batchId);
        await Database.ExecuteAsync("update orchestrator.file_version set process_attempts = 2 where remote_file_id = $1", remoteIds[0]);
        FileResult[] results =
        [
            new(remoteIds[0], FileVersionState.Failed, ErrorMessage: "timed out", ErrorClass: FailureClass.Transient), // its third and last attempt
            new(remoteIds[1], FileVersionState.Failed, ErrorMessage: "rate limited", ErrorClass: FailureClass.Throttled),
            new(remoteIds[2], FileVersionState.Failed, ErrorMessage: "corrupt PDF", ErrorClass: FailureClass.Permanent), // never retried by itself
        ];

        var summary = await Store.RecordResultsAsync(batchId, BatchState.Completed, results, Policy, Ct);

        Assert.Equal(new SentBack(Queued: 1, UsedUp: 1), summary.SentBack);
    }

    [Fact]
    public async Task RecordResultsAsync_SchedulesTheFollowUp_OnlyWhenThereAreJobReferences()
    {
        var withJobs = await SubmittedBatchAsync(files: 2, BatchState.Completed);
        var withoutJobs = await SubmittedBatchAsync(files: 1, BatchState.Completed);
        var at = DateTimeOffset.UtcNow.AddMinutes(5);
        var ids = await RemoteFileIdsAsync(withJobs);
        var none = await RemoteFileIdsAsync(withoutJobs);

        await Store.RecordResultsAsync(withJobs, BatchState.Completed, V2([.. ids.Select((id, i) => new RemoteBatchResult(id, new RemoteJobReference("parse_v2", $"pjb-{i}"), null))]), new RecordPolicy(3, at), Ct);
        await Store.RecordResultsAsync(withoutJobs, BatchState.Completed, V2([new RemoteBatchResult(none[0], null, "File is empty (0 bytes)")]), new RecordPolicy(3, at), Ct);

        Assert.True(await Database.ScalarAsync<bool>("select follow_up_next_at is not null from orchestrator.batch where id = $1", withJobs));
        Assert.True(await Database.ScalarAsync<bool>("select follow_up_next_at is null from orchestrator.batch where id = $1", withoutJobs));
        Assert.Equal(2L, await Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'Recorded' and outcome = 'Succeeded'"));
        Assert.Equal("Permanent", await Database.ScalarAsync<string>("select error_class from orchestrator.batch_result where batch_id = $1", withoutJobs));
    }

    [Fact]
    public async Task RecordResultsAsync_SkipsAFileLlamaCloudSkipped_WithItsReason()
    {
        var batchId = await SubmittedBatchAsync(files: 1, BatchState.Completed);
        var id = (await RemoteFileIdsAsync(batchId))[0];

        await Store.RecordResultsAsync(batchId, BatchState.Completed, [new FileResult(id, FileVersionState.Skipped, ErrorMessage: "already processed")], Policy, Ct);

        Assert.Equal(("Skipped", "already processed"), (await Database.ListAsync("select state, error_message from orchestrator.file_version", r => (r.GetString(0), r.GetString(1))))[0]);
    }

    [Fact]
    public async Task MakeDueNowAsync_MakesAnOpenBatchDue_AndIgnoresEndedOrUnknownOnes()
    {
        var open = await SubmittedBatchAsync(files: 1, BatchState.Running);
        await Database.ExecuteAsync("update orchestrator.batch set next_poll_at = now() + interval '1 hour' where id = $1", open);

        Assert.True(await Store.MakeDueNowAsync($"bat-{open}", Ct));
        Assert.False(await Store.MakeDueNowAsync("bat-unknown", Ct));
        Assert.Equal([open], (await Store.ClaimDueAsync(10, TimeSpan.FromMinutes(5), Ct)).Select(b => b.Id));
    }

    [Fact]
    public async Task ClaimStalledAsync_HandsOutABatchStuckInAStep_OncePerPeriod()
    {
        var batchId = await UploadedBatchAsync(files: 1);
        await Database.ExecuteAsync("update orchestrator.batch set updated_at = now() - interval '1 hour' where id = $1", batchId);

        var first = await Store.ClaimStalledAsync(TimeSpan.FromMinutes(10), 10, Ct);
        var second = await Store.ClaimStalledAsync(TimeSpan.FromMinutes(10), 10, Ct);

        var source = await Database.ScalarAsync<string>("select source_name from orchestrator.batch where id = $1", batchId);
        Assert.Equal([new StalledBatch(batchId, source, BatchState.Creating)], first);
        Assert.Empty(second);
    }

    [Fact]
    public async Task ClaimStalledAsync_MarksABatchWaitingForItsUploadSlot_WhileAnotherOfItsSourceUploads()
    {
        var source = $"s{Guid.NewGuid():N}"[..12];
        var uploading = await Seed.PlannedBatchAsync(Database, source, 1, Ct);
        var waiting = await Seed.PlannedBatchAsync(Database, source, 1, Ct);
        await Database.ExecuteAsync("update orchestrator.batch set updated_at = now() - interval '1 hour' where id = $1", waiting);

        // A sibling touched recently but never started (the sweep's own touch) is no progress: two batches whose
        // uploading one was lost in a crash must not keep each other waiting.
        Assert.Equal([new StalledBatch(waiting, source, BatchState.Planned)], await Store.ClaimStalledAsync(TimeSpan.FromMinutes(10), 10, Ct));

        await Database.ExecuteAsync("update orchestrator.batch set remote_directory_id = 'dir-uploading', updated_at = now() where id = $1", uploading); // its upload step began
        await Database.ExecuteAsync("update orchestrator.batch set updated_at = now() - interval '1 hour' where id = $1", waiting);
        Assert.Equal([new StalledBatch(waiting, source, BatchState.Planned, WaitsItsTurn: true)], await Store.ClaimStalledAsync(TimeSpan.FromMinutes(10), 10, Ct));

        // The uploading one stops making progress too: both are stalled now, and neither waits on the other.
        await Database.ExecuteAsync("update orchestrator.batch set updated_at = now() - interval '1 hour' where source_name = $1", source);
        var both = await Store.ClaimStalledAsync(TimeSpan.FromMinutes(10), 10, Ct);
        Assert.Equal([false, false], both.OrderBy(b => b.Id).Select(b => b.WaitsItsTurn));
        Assert.Equal([uploading, waiting], both.Select(b => b.Id).Order());
    }

    private static RecordPolicy Policy => new(MaxAttempts: 3, FollowUpAt: null);

    private static FileResult[] V2(IEnumerable<RemoteBatchResult> results) => [.. results.Select(FileResult.FromV2)];

    // A batch whose files are all uploaded: state Creating, remote ids dfl-<version id>.
    private async Task<long> UploadedBatchAsync(int files)
    {
        var source = $"s{Guid.NewGuid():N}"[..12];
        var batchId = await Seed.PlannedBatchAsync(Database, source, files, Ct);
        var uploads = new NpgsqlUploadStore(Database.DataSource);
        foreach (var file in (await uploads.GetWorkAsync(batchId, Ct))!.Files)
        {
            await uploads.MarkUploadStartedAsync(file.FileVersionId, Ct);
            await uploads.MarkUploadedAsync(file.FileVersionId, $"dfl-{file.FileVersionId}", Ct);
        }

        Assert.Equal(BatchState.Creating, await uploads.FinishUploadsAsync(batchId, await Seed.BatchLeaseAsync(Database, batchId, Ct), Ct));
        return batchId;
    }

    private async Task<long> SubmittedBatchAsync(int files, BatchState remoteState)
    {
        var batchId = await UploadedBatchAsync(files);
        await Store.RecordSubmittedAsync(batchId, $"bat-{batchId}", remoteState, TimeSpan.Zero, await Seed.BatchLeaseAsync(Database, batchId, Ct), Ct);
        return batchId;
    }

    private Task<List<string>> RemoteFileIdsAsync(long batchId) =>
        Database.ListAsync("select remote_file_id from orchestrator.file_version where batch_id = $1 order by id", r => r.GetString(0), batchId);
}
