using Hangfire.PostgreSql;
using BatchOrchestrator.Core.Pipeline;
using Hangfire.Server;

namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// Two instances on one database mid-deploy, one of them started with a configuration that lacks a source the other
/// runs (docs/deployment.md, "Several instances"). Batch steps go to whichever instance takes the job first: the one
/// without the source must not end the other's batch as a source removed (its files would wait for the source's next
/// scheduled run), nor deliver its results where a removed source's go (its own sinks and OutputPath passed over), but
/// hand the step back while another instance is alive; alone, it does as before (<see cref="RemovedSourceFacts"/>).
/// </summary>
public sealed class SourceUnknownHereFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task UploadStep_OnAnInstanceWithoutTheSource_WhileAnotherIsAlive_IsHandedBack_AndTheInstanceWithItSendsTheBatch()
    {
        Harness.WriteFiles(2);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        AnnounceServers("with-source", "without-source");
        var otherScheduler = new RecordingScheduler();

        await using (var other = WithoutTheSource(otherScheduler))
        {
            await other.GetRequiredService<BatchUploader>().UploadAsync(batchId, Ct);
        }

        await AssertLeftAsItWasAsync(batchId, "Planned");
        Assert.Equal(0L, (await Harness.Admin.CountersAsync()).UploadsTotal);
        Assert.Equal([("scheduled-upload", $"{batchId}", StepAttempts.HandBackAfter)], otherScheduler.Delays.ToList());
        Assert.DoesNotContain(otherScheduler.Calls, c => c.Step == "upload"); // the slot is not handed on: it would only come back here

        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await Harness.RecordAllAsync([batchId], Ct);
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"));
    }

    [Fact]
    public async Task SubmitStep_OnAnInstanceWithoutTheSource_WhileAnotherIsAlive_IsHandedBack_CountedOnceAndUncreated()
    {
        Harness.WriteFiles(2);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        var attempts = await AttemptsAsync(batchId);
        AnnounceServers("with-source", "without-source");
        var otherScheduler = new RecordingScheduler();

        await using (var other = WithoutTheSource(otherScheduler))
        {
            await other.GetRequiredService<BatchSubmitter>().SubmitAsync(batchId, Ct);
        }

        await AssertLeftAsItWasAsync(batchId, "Creating");
        Assert.Equal(attempts + 1, await AttemptsAsync(batchId)); // one run of the step: hand-backs are bounded by its attempts
        Assert.Equal(0L, (await Harness.Admin.CountersAsync()).BatchCreatesTotal);
        Assert.Equal([("scheduled-submit", $"{batchId}", StepAttempts.HandBackAfter)], otherScheduler.Delays.ToList());

        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await Harness.RecordAllAsync([batchId], Ct);
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"));
    }

    [Fact]
    public async Task UploadStep_OnAnInstanceWithoutTheSource_RunningAlone_EndsTheBatch()
    {
        Harness.WriteFiles(2);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        AnnounceServers("without-source"); // its own server only: the instance that planned the batch is gone
        var otherScheduler = new RecordingScheduler();

        await using (var other = WithoutTheSource(otherScheduler))
        {
            await other.GetRequiredService<BatchUploader>().UploadAsync(batchId, Ct);
        }

        Assert.Equal("ResultsRecorded", await Harness.Database.ScalarAsync<string>("select state from orchestrator.batch where id = $1", batchId));
        Assert.Empty(otherScheduler.Delays);
    }

    [Fact]
    public async Task FollowUp_OnAnInstanceWithoutTheSource_WhileAnotherIsAlive_IsPutBack_AndTheResultsGoToTheSourcesOwnOutputPath()
    {
        Harness.WriteFiles(2);
        var ownOutput = Path.Combine(Harness.Root, "own-output");
        Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources.Single().OutputPath = ownOutput;
        var batchId = (await Harness.RunToRecordedAsync(Ct)).Single();
        AnnounceServers("with-source", "without-source");
        var otherScheduler = new RecordingScheduler();

        await using (var other = WithoutTheSource(otherScheduler))
        {
            await other.GetRequiredService<FollowUpProcessor>().FollowUpAsync(batchId, Ct);
        }

        // Delivered there, the results would have gone where a removed source's go, and been taken as delivered for good.
        Assert.False(Directory.Exists(Path.Combine(Harness.Root, "output", PipelineHarness.SourceName)));
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'Recorded'"));
        Assert.InRange(
            await Harness.Database.ScalarAsync<DateTime>("select follow_up_next_at from orchestrator.batch where id = $1", batchId) - DateTime.UtcNow,
            HandBack.After - TimeSpan.FromSeconds(30),
            HandBack.After);

        await Harness.FollowUpAllAsync([batchId], Ct);
        Assert.True(File.Exists(Path.Combine(ownOutput, "doc0000.txt.md")));
        Assert.True(File.Exists(Path.Combine(ownOutput, "doc0001.txt.md")));
    }

    [Fact]
    public async Task ASourceNoInstanceKnows_EndsItsBatch_AndDeliversItsResults_AfterAFewHandBacks_NotHandsThemRoundForGood()
    {
        Harness.WriteFiles(2);
        var recorded = (await Harness.RunToRecordedAsync(Ct)).Single();
        Harness.WriteFiles(2, "late");
        var planned = await Harness.PlanOneBatchAsync(Ct);
        AnnounceServers("without-source-a", "without-source-b"); // removed on both instances
        var otherScheduler = new RecordingScheduler();

        await using (var other = WithoutTheSource(otherScheduler))
        {
            for (var run = 0; run <= Harness.Get<StepAttempts>().Max && await StateAsync(planned) == "Planned"; run++)
            {
                await other.GetRequiredService<BatchUploader>().UploadAsync(planned, Ct);
            }

            var removedSourcesOutput = Path.Combine(Harness.Root, "output", PipelineHarness.SourceName);
            for (var look = 0; look < HandBack.FollowUpsAtMost; look++)
            {
                await other.GetRequiredService<FollowUpProcessor>().FollowUpAsync(recorded, Ct);
            }

            Assert.False(Directory.Exists(removedSourcesOutput)); // put back each time so far
            await Eventually.WaitAsync(
                async () =>
                {
                    await other.GetRequiredService<FollowUpProcessor>().FollowUpAsync(recorded, Ct);
                    return File.Exists(Path.Combine(removedSourcesOutput, "doc0001.txt.md"));
                },
                TimeSpan.FromSeconds(30),
                "the results to be delivered as a removed source's");
        }

        Assert.Equal("ResultsRecorded", await StateAsync(planned)); // ended as a removed source's, its files queued again
        Assert.Equal(Harness.Get<StepAttempts>().Max, otherScheduler.Delays.Count(d => d.Step == "scheduled-upload"));
    }

    /// <summary>Job servers beating on this database now, as running instances' Hangfire servers do.</summary>
    private void AnnounceServers(params string[] names)
    {
        using var connection = Harness.Get<PostgreSqlStorage>().GetConnection();
        foreach (var name in names)
        {
            connection.AnnounceServer($"{name}:1:{Guid.NewGuid():N}", new ServerContext { Queues = ["default"], WorkerCount = 1 });
        }
    }

    /// <summary>Another instance on the same database, started with a configuration that has none of the harness's sources.</summary>
    private ServiceProvider WithoutTheSource(RecordingScheduler scheduler)
    {
        var other = Harness.AnotherInstance(scheduler);
        other.GetRequiredService<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources.Clear();
        return other;
    }

    private Task<string> StateAsync(long batchId) =>
        Harness.Database.ScalarAsync<string>("select state from orchestrator.batch where id = $1", batchId);

    private Task<int> AttemptsAsync(long batchId) =>
        Harness.Database.ScalarAsync<int>("select step_attempts from orchestrator.batch where id = $1", batchId);

    /// <summary>Still owed its step, its files still in it, nothing given up.</summary>
    private async Task AssertLeftAsItWasAsync(long batchId, string state)
    {
        Assert.Equal(
            [(state, (string?)null)],
            await Harness.Database.ListAsync("select state, last_error from orchestrator.batch where id = $1", r => (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1)), batchId));
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where batch_id = $1", batchId));
    }
}
