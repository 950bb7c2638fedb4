using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Core.IntegrationTests.Cleanup;

/// <summary>
/// Remote hygiene over a real database and the Sandbox: once a file's result is in every sink its job,
/// directory file and stored file are deleted, then its run's directory; never before the follow-up
/// succeeded, never twice, and a mirror's directory never.
/// </summary>
public sealed class RemoteHygieneFacts(PostgresServerFixture server)
{
    [Fact]
    public async Task RunAsync_DeletesEachFollowedUpFilesArtefacts_ThenTheRunsDirectory_AndARerunFindsNothingLeft()
    {
        await using var harness = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?> { ["RemoteCleanup:Retention"] = "Immediately" });
        harness.WriteFiles(5);
        var batches = await harness.RunToRecordedAsync(Ct);
        await harness.FollowUpAllAsync(batches, Ct);

        var first = await harness.Get<RemoteCleaner>().RunAsync(Ct);
        var countersAfterFirst = await Deletes(harness);
        var second = await harness.Get<RemoteCleaner>().RunAsync(Ct);

        Assert.Equal((5, 5, 5, 1), countersAfterFirst);
        Assert.Equal((16, 0, 0), (first.Deleted, first.Gone, first.Failed));
        Assert.Equal(0, second.Attempts);
        Assert.Equal(countersAfterFirst, await Deletes(harness));
        Assert.Equal(0L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.remote_artefact where deleted_at is null"));
        var runs = await harness.Get<OpsQueries>().RunsAsync(null, 10, Ct);
        Assert.Equal("16 deleted / 0 pending", runs.Rows[0][runs.IndexOf("Remote artefacts")]?.ToString());
    }

    [Fact]
    public async Task RunAsync_LeavesEveryArtefactOfAFileWhoseFollowUpFailed_AndItsDirectory()
    {
        await using var harness = await PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?> { ["RemoteCleanup:Retention"] = "Immediately" },
            new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(20), Faults = { FailFilesMatching = "^bad" } });
        harness.WriteFile("bad.txt", "this one's job fails");
        harness.WriteFiles(2);
        var batches = await harness.RunToRecordedAsync(Ct);
        await harness.FollowUpAllAsync(batches, Ct);
        var failed = await harness.Database.ListAsync(
            "select v.job_id, v.remote_file_id, v.stored_file_id, v.remote_directory_id from orchestrator.file_version v where v.relative_path = 'bad.txt'",
            r => (Job: r.GetString(0), File: r.GetString(1), Stored: r.GetString(2), Directory: r.GetString(3)));

        await harness.Get<RemoteCleaner>().RunAsync(Ct);

        Assert.Equal("FollowUpFailed", await harness.Database.ScalarAsync<string>("select follow_up_state from orchestrator.batch_result r join orchestrator.file_version v on v.id = r.file_version_id where v.relative_path = 'bad.txt'"));
        Assert.Equal((2, 2, 2, 0), await Deletes(harness));
        var api = harness.Get<IBatchApis>().For(ProjectScope.Default);
        var (job, file, _, directory) = failed.Single();
        Assert.Equal("FAILED", (await api.GetParseJobAsync(job, [], Ct)).Job.Status);
        Assert.Equal(file, (await api.GetDirectoryFileAsync(directory, file, Ct)).Id);
        Assert.Equal(directory, (await api.GetDirectoryAsync(directory, Ct)).Id);
        Assert.Equal(0L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.remote_artefact where remote_id = any($1)", (object)new[] { failed[0].Job, failed[0].File, failed[0].Stored }));
    }

    [Fact]
    public async Task RunAsync_WaitsForTheRetention_ThenDeletes_AndCountsWhatIsAlreadyGoneAsDone()
    {
        await using var harness = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?> { ["RemoteCleanup:Retention"] = "7d" });
        harness.WriteFiles(2);
        var batches = await harness.RunToRecordedAsync(Ct);
        await harness.FollowUpAllAsync(batches, Ct);

        var early = await harness.Get<RemoteCleaner>().RunAsync(Ct);
        var pending = await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.remote_artefact where deleted_at is null and due_at > now() + interval '6 days'");
        var job = await harness.Database.ScalarAsync<string>("select job_id from orchestrator.file_version order by id limit 1");
        await harness.Get<IBatchApis>().For(ProjectScope.Default).DeleteParseJobAsync(job, Ct); // someone else deleted it meanwhile
        await harness.Database.ExecuteAsync("""
            update orchestrator.remote_artefact set due_at = due_at - interval '7 days';
            update orchestrator.batch_result set followed_up_at = followed_up_at - interval '7 days';
            update orchestrator.batch set finished_at = finished_at - interval '7 days';
            """); // a week later
        var later = await harness.Get<RemoteCleaner>().RunAsync(Ct);

        Assert.Equal(0, early.Attempts);
        Assert.Equal(6L, pending); // two jobs, directory files and stored files; the directory waits for them
        Assert.Equal((6, 1, 0), (later.Deleted, later.Gone, later.Failed)); // five of them and then the directory; one job was gone already
        Assert.True(await harness.Database.ScalarAsync<bool>("select found_gone from orchestrator.remote_artefact where remote_id = $1", job));
    }

    [Fact]
    public async Task RunAsync_InTheMirrorLayout_DeletesOnlyJobs_NeverTheSourcesDirectoryOrItsFiles()
    {
        await using var harness = await PipelineHarness.CreateAsync(
            server, new Dictionary<string, string?> { ["Sources:0:Layout"] = "Mirror", ["Sources:0:RemoteRetention"] = "Immediately" });
        harness.WriteFiles(3);
        var batches = await harness.RunToRecordedAsync(Ct);
        await harness.FollowUpAllAsync(batches, Ct);

        await harness.Get<RemoteCleaner>().RunAsync(Ct);

        Assert.Equal((3, 0, 0, 0), await Deletes(harness));
    }

    [Fact]
    public async Task RunAsync_StoppedWithTheService_SavesWhatItDeleted_AndGivesTheRestOfItsClaimBackAtOnce()
    {
        await using var harness = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?>
        {
            ["RemoteCleanup:Retention"] = "Immediately",
            // One delete per two seconds on the project's spare turns: the run is waiting for its next turn when stopped.
            ["LlamaCloud:UploadRateLimit:PermitLimit"] = "1",
            ["LlamaCloud:UploadRateLimit:Window"] = "00:00:02",
        });
        harness.WriteFiles(3);
        var batches = await harness.RunToRecordedAsync(Ct);
        await harness.FollowUpAllAsync(batches, Ct);

        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = harness.Get<RemoteCleaner>().RunAsync(stopping.Token);
        // The second delete served: the run, which deletes one at a time, has the first one's answer in hand. Stopped right
        // after the first was served, its answer could still be on the way, and that delete is not the run's to save.
        await Eventually.WaitAsync(() => harness.Admin.CounterAsync("parse_job_deletes_total"), n => n >= 2, TimeSpan.FromSeconds(30), "the second delete");
        await stopping.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        var (deleted, stillClaimed) = (await harness.Database.ListAsync(
            "select count(*) filter (where deleted_at is not null), count(*) filter (where deleted_at is null and claimed_until is not null) from orchestrator.remote_artefact",
            r => (r.GetInt64(0), r.GetInt64(1)))).Single();
        Assert.True(deleted >= 1, $"{deleted} deletes saved");
        Assert.Equal(0L, stillClaimed);
        Assert.Contains(harness.Logs.Lines, l => l.Contains("Remote cleanup stopped with the service", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_OnTwoInstancesAtOnce_DeletesEachArtefactOnce()
    {
        await using var harness = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?> { ["RemoteCleanup:Retention"] = "Immediately" });
        harness.WriteFiles(30);
        var batches = await harness.RunToRecordedAsync(Ct);
        await harness.FollowUpAllAsync(batches, Ct);
        await using var other = harness.AnotherInstance(new RecordingScheduler());

        var runs = await Task.WhenAll(
            harness.Get<RemoteCleaner>().RunAsync(Ct),
            other.GetRequiredService<RemoteCleaner>().RunAsync(Ct),
            harness.Get<RemoteCleaner>().RunAsync(Ct));
        await harness.Get<RemoteCleaner>().RunAsync(Ct); // the directory, if the runs above ended before its files were gone

        Assert.Equal((30, 30, 30, 1), await Deletes(harness));
        Assert.Equal(0, runs.Sum(r => r.Gone)); // no artefact was sent twice
        Assert.Equal(0L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.remote_artefact where deleted_at is null"));
    }

    [Fact]
    public async Task ASourceSetToOff_HasItsQueuedArtefactsSpared_WhileAnotherSourceKeepsCleaning()
    {
        var other = Directory.CreateTempSubdirectory("bo-other-source-").FullName;
        try
        {
            await using var harness = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?>
            {
                ["RemoteCleanup:Retention"] = "Immediately",
                ["Sources:1:Name"] = "other",
                ["Sources:1:Path"] = other,
            });
            harness.WriteFiles(2);
            var batches = await harness.RunToRecordedAsync(Ct);
            await harness.FollowUpAllAsync(batches, Ct);
            Assert.True(await harness.Get<IRemoteCleanupStore>().ListAsync(harness.Get<RemoteCleaner>().Retentions(), 100, Ct) > 0); // queued, due now

            // The operator keeps docs' jobs for an investigation; the other source still has a retention, so cleanup runs.
            await using var kept = harness.Restarted(
                new Dictionary<string, string?> { ["Sources:0:RemoteRetention"] = "Off" }, new RecordingScheduler(), new CapturingLoggerProvider());
            await kept.GetRequiredService<RemoteCleaner>().RunAsync(Ct);

            Assert.Equal((0, 0, 0, 0), await Deletes(harness)); // "Off" deletes nothing, queued or not
            Assert.Equal(0L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.remote_artefact where deleted_at is not null"));
        }
        finally
        {
            Directory.Delete(other, recursive: true);
        }
    }

    private static async Task<(long Jobs, long DirectoryFiles, long StoredFiles, long Directories)> Deletes(PipelineHarness harness) => (
        await harness.Admin.CounterAsync("parse_job_deletes_total"),
        await harness.Admin.CounterAsync("directory_file_deletes_total"),
        await harness.Admin.CounterAsync("file_deletes_total"),
        await harness.Admin.CounterAsync("directory_deletes_total"));
}
