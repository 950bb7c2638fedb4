using BatchOrchestrator.Persistence.Migrations;

namespace BatchOrchestrator.Core.IntegrationTests.Cleanup;

/// <summary>
/// Remote hygiene of a file sent again (docs/remote-hygiene.md): to its source's fallback, its first job reference's
/// job, directory file and stored file, and the first batch's directory, are deleted after the retention like any
/// other file's, however its fallback ends; the fallback uploads the file again into a batch of its own, so it needs
/// none of them, and nothing is deleted twice. Reprocessed, a reference listed after that deletes its own copy, never
/// the new one its version now names.
/// </summary>
public sealed class SentAgainCleanupFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    // cfg-PARSE_AGENTIC_PLUS and cfg-PARSE_FAST are presets no source documents: the Sandbox refuses it unless told to accept it.
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(
        server,
        sandboxOptions: new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(20), Guesses = { AcceptUndocumentedPresets = true } },
        settings: new Dictionary<string, string?>
        {
            ["RemoteCleanup:Retention"] = "Immediately",
            ["Sources:0:FallbackConfigurationId"] = "cfg-PARSE_AGENTIC_PLUS",
            ["Costs:Presets:cfg-PARSE_AGENTIC_PLUS:JobType"] = "parse_v2",
            ["Costs:Presets:cfg-PARSE_AGENTIC_PLUS:Tier"] = "agentic_plus",
        });

    [Fact]
    public async Task AnEscalatedFilesFirstJobAndCopy_AreDeletedAtTheRetention_AndTheFallbackStillDeliversItsResult()
    {
        Harness.WriteFile("good.txt", "fine");
        Harness.WriteFile("blank.txt", "scanned image, nothing to read");
        await Harness.Admin.SetFaultsAsync(new { empty_results_matching = "blank" });
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);
        var first = await FirstReferenceAsync();

        var whileWaiting = await Harness.Get<RemoteCleaner>().RunAsync(Ct); // the fallback's batch is not even planned yet

        Assert.Equal("Discovered", await StateAsync()); // escalated, waiting for its fallback batch
        Assert.Equal((0, 0), (whileWaiting.Gone, whileWaiting.Failed));
        Assert.Equal((2, 2, 2, 1), await DeletesAsync()); // good.txt's and blank.txt's first copies, then the run's directory
        await AssertGoneAsync(first);

        await Harness.Admin.SetFaultsAsync(new { empty_results_matching = "nothing matches this" });
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);
        Assert.Equal("Succeeded", await StateAsync());
        Assert.True(File.Exists(Path.Combine(Harness.Root, "output", PipelineHarness.SourceName, "blank.txt.json")));

        var after = await Harness.Get<RemoteCleaner>().RunAsync(Ct);
        var rerun = await Harness.Get<RemoteCleaner>().RunAsync(Ct);

        Assert.Equal((4, 0, 0), (after.Deleted, after.Gone, after.Failed)); // the fallback's job, files and directory
        Assert.Equal(0, rerun.Attempts);
        Assert.Equal((3, 3, 3, 2), await DeletesAsync());
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.remote_artefact where deleted_at is null or found_gone"));
    }

    [Fact]
    public async Task AnEscalatedFileWhoseFallbackFails_KeepsOnlyTheFallbacksArtefacts()
    {
        Harness.WriteFile("blank.txt", "scanned image, nothing to read");
        await Harness.Admin.SetFaultsAsync(new { empty_results_matching = "blank" });
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);
        var first = await FirstReferenceAsync();
        await Harness.Admin.SetFaultsAsync(new { fail_files_matching = "blank" });
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);
        Assert.Equal("Failed", await StateAsync());
        var fallback = await Harness.Database.ListAsync(
            "select v.job_id, v.remote_file_id, v.remote_directory_id from orchestrator.file_version v where v.relative_path = 'blank.txt'",
            r => (Job: r.GetString(0), File: r.GetString(1), Directory: r.GetString(2)));

        await Harness.Get<RemoteCleaner>().RunAsync(Ct);

        Assert.Equal((1, 1, 1, 1), await DeletesAsync()); // the first copy and its run's directory
        await AssertGoneAsync(first);
        var api = Harness.Get<IBatchApis>().For(ProjectScope.Default);
        var (job, file, directory) = fallback.Single(); // kept, as every failed job's are, for an operator to look at
        Assert.Equal("FAILED", (await api.GetParseJobAsync(job, [], Ct)).Job.Status);
        Assert.Equal(file, (await api.GetDirectoryFileAsync(directory, file, Ct)).Id);
        Assert.Equal(directory, (await api.GetDirectoryAsync(directory, Ct)).Id);
    }

    [Fact]
    public async Task AnEscalationAnOlderReleaseMade_IsFoundByTheMigration_AndItsStoredFileReadWithoutTakingTheFallbacks()
    {
        Harness.WriteFile("blank.txt", "scanned image, nothing to read");
        await Harness.Admin.SetFaultsAsync(new { empty_results_matching = "blank" });
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);
        var first = await FirstReferenceAsync();
        // As an older release left it: nothing on the reference says it escalated, nor names its stored file.
        await Harness.Database.ExecuteAsync("update orchestrator.batch_result set escalated_at = null, stored_file_id = null");
        await Harness.Database.ExecuteAsync(Migrator.Embedded.Single(m => m.Name.Contains("escalated_references", StringComparison.Ordinal)).Sql);
        await Harness.Admin.SetFaultsAsync(new { empty_results_matching = "nothing matches this" });
        var fallbackBatches = await Harness.RunToRecordedAsync(Ct); // uploaded and recorded, its result not yet delivered

        await Harness.Get<RemoteCleaner>().RunAsync(Ct); // the first directory file is read for its stored file, then deleted
        await Harness.FollowUpAllAsync(fallbackBatches, Ct);
        await Harness.Get<RemoteCleaner>().RunAsync(Ct);

        await AssertGoneAsync(first);
        Assert.Equal((2, 2, 2, 2), await DeletesAsync()); // the fallback's stored file too: the read did not take its place
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.remote_artefact where deleted_at is null or found_gone"));
    }

    [Fact]
    public async Task AReferenceListedOnlyAfterItsFileWasReprocessed_DeletesItsOwnCopy_NeverTheNewOneStillWaitingForItsResult()
    {
        Harness.WriteFile("a.md", "alpha");
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);
        var first = await FirstReferenceAsync("a.md");
        Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Find(PipelineHarness.SourceName)!.ConfigurationId = "cfg-PARSE_FAST";
        Assert.Equal(1, (await Harness.Get<Reprocessing>().ReprocessAsync(PipelineHarness.SourceName, ReprocessFilter.All, atMost: 1, Ct)).Queued);
        var again = await Harness.RunToRecordedAsync(Ct); // uploaded again; its result not delivered yet
        var (file, directory) = (await Harness.Database.ListAsync(
            "select remote_file_id, remote_directory_id from orchestrator.file_version where relative_path = 'a.md'", r => (r.GetString(0), r.GetString(1)))).Single();

        await Harness.Get<RemoteCleaner>().RunAsync(Ct); // the first reference is listed only now (say the retention was Off until now)

        await AssertGoneAsync(first);
        Assert.Equal(file, (await Harness.Get<IBatchApis>().For(ProjectScope.Default).GetDirectoryFileAsync(directory, file, Ct)).Id);
        Assert.Equal((1, 1, 1, 1), await DeletesAsync()); // the first copy's stored file, read from its directory file
        await Harness.FollowUpAllAsync(again, Ct);
        await Harness.Get<RemoteCleaner>().RunAsync(Ct);
        Assert.Equal((2, 2, 2, 2), await DeletesAsync());
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.remote_artefact where deleted_at is null or found_gone"));
    }

    /// <summary>A file's first job reference (for blank.txt, the one whose empty result sent it to the fallback).</summary>
    private async Task<(string Job, string File, string Directory)> FirstReferenceAsync(string path = "blank.txt") => (await Harness.Database.ListAsync(
        """
        select r.job_id, r.source_directory_file_id, b.remote_directory_id
        from orchestrator.batch_result r join orchestrator.batch b on b.id = r.batch_id
        join orchestrator.file_version v on v.id = r.file_version_id
        where v.relative_path = $1 order by r.id limit 1
        """,
        r => (r.GetString(0), r.GetString(1), r.GetString(2)),
        path)).Single();

    private async Task AssertGoneAsync((string Job, string File, string Directory) reference)
    {
        var api = Harness.Get<IBatchApis>().For(ProjectScope.Default);
        Assert.True((await Assert.ThrowsAsync<LlamaCloudRejectedException>(() => api.GetParseJobAsync(reference.Job, [], Ct))).IsNotFound);
        Assert.True((await Assert.ThrowsAsync<LlamaCloudRejectedException>(() => api.GetDirectoryFileAsync(reference.Directory, reference.File, Ct))).IsNotFound);
        Assert.True((await Assert.ThrowsAsync<LlamaCloudRejectedException>(() => api.GetDirectoryAsync(reference.Directory, Ct))).IsNotFound);
    }

    private Task<string> StateAsync() =>
        Harness.Database.ScalarAsync<string>("select state from orchestrator.file_version where relative_path = 'blank.txt'");

    private async Task<(long Jobs, long DirectoryFiles, long StoredFiles, long Directories)> DeletesAsync() => (
        await Harness.Admin.CounterAsync("parse_job_deletes_total"),
        await Harness.Admin.CounterAsync("directory_file_deletes_total"),
        await Harness.Admin.CounterAsync("file_deletes_total"),
        await Harness.Admin.CounterAsync("directory_deletes_total"));
}
