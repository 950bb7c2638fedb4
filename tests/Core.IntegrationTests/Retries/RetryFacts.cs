namespace BatchOrchestrator.Core.IntegrationTests.Retries;

/// <summary>Failed files across runs: retried by class up to the source's MaxAttempts, over a real database and the Sandbox.</summary>
public sealed class RetryFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(
        server, new Dictionary<string, string?> { ["Sources:0:MaxAttempts"] = "2" });

    [Fact]
    public async Task ABatchFailedAsAWhole_IsTakenAgainByTheNextRun_UntilMaxAttempts_ThenFailsForGood()
    {
        Harness.WriteFile("only.txt", "one file");
        await Harness.Admin.SetFaultsAsync(new { fail_next_batches = 2 });

        await Harness.RunToRecordedAsync(Ct);
        var afterFirst = await FileAsync("only.txt");
        var second = await Harness.RunToRecordedAsync(Ct);
        var afterSecond = await FileAsync("only.txt");
        var third = await Harness.SubmitAllAsync(Ct);

        Assert.Equal(("Discovered", "Transient", 1), afterFirst);
        Assert.Single(second);
        Assert.Equal(("Failed", "Transient", 2), afterSecond);
        Assert.Empty(third);
        Assert.Equal(2, (await Harness.Admin.CountersAsync()).BatchCreatesTotal);
        Assert.Equal("NoChanges", await Harness.Database.ScalarAsync<string>("select state from orchestrator.run order by id desc limit 1"));
        // The first failed batch scheduled a run of its source Pipeline:RetryRunAfter (15 minutes) later, rather than
        // leave its file to the schedule's next run, a day away for a nightly source. The second used up the file's
        // attempts: it schedules no run (which would find nothing), and says so at Warning.
        Assert.Equal(
            [("scheduled-run", $"{PipelineHarness.SourceName}:Retry", TimeSpan.FromMinutes(15))],
            Harness.Scheduler.Delays.Where(d => d.Step == "scheduled-run"));
        Assert.Contains(Harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal)
            && l.Contains($"Batch {second.Single()} of {PipelineHarness.SourceName}: 1 of its files failed for good", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABatchThatSucceeded_SchedulesNoRetryRun()
    {
        Harness.WriteFile("fine.txt", "a document");

        var batches = await Harness.RunToRecordedAsync(Ct);

        Assert.Single(batches);
        Assert.Equal("Succeeded", (await FileAsync("fine.txt")).State);
        Assert.Contains(Harness.Logs.Lines, l => l.TrimEnd().EndsWith($"of {PipelineHarness.SourceName} planned 1 batch", StringComparison.Ordinal)); // not "1 batches"
        Assert.DoesNotContain(Harness.Scheduler.Calls, c => c.Step == "scheduled-run");
    }

    [Fact]
    public async Task APermanentFailure_IsNotRetriedByTheNextRun_NorByAnOperator_UnlessForced()
    {
        Harness.WriteFile("setup.exe", "MZ not a document");
        Harness.WriteFile("fine.txt", "a document");

        await Harness.RunToRecordedAsync(Ct);
        var again = await Harness.SubmitAllAsync(Ct);
        var commands = Harness.Get<OperatorCommands>();
        var unforced = await commands.RetryFailedAsync(PipelineHarness.SourceName, Ct);
        var forced = await commands.RetryFailedAsync(PipelineHarness.SourceName, ForcedRetry.Permanent, Ct);

        Assert.Empty(again);
        Assert.Equal(0, unforced.Requeued);
        Assert.Equal(1, forced.Requeued);
        Assert.Equal("Unsupported file type: .exe", (await Harness.Database.ListAsync(
            "select error_message from orchestrator.batch_result where error_class = 'Permanent'", r => r.GetString(0))).Single());
        Assert.Equal("Discovered", (await FileAsync("setup.exe")).State);
        Assert.Equal("Succeeded", (await FileAsync("fine.txt")).State);
    }

    [Fact]
    public async Task AForcedRetry_TakesOnlyFailuresOfFilesInTheFolderNow_AndCountsTheOldOnesItLeftOut()
    {
        Harness.WriteFile("kept.exe", "MZ still here");
        Harness.WriteFile("gone.exe", "MZ deleted since");
        Harness.WriteFile("changed.exe", "MZ changed since");
        await Harness.RunToRecordedAsync(Ct);
        File.Delete(Path.Combine(Harness.SourcePath, "gone.exe"));
        Harness.WriteFile("changed.exe", "MZ fixed, say");
        await Harness.PlanAsync(Ct); // the scan sees both: the changed file has a new version

        var outcome = await Harness.Get<OperatorCommands>().RetryFailedAsync(PipelineHarness.SourceName, ForcedRetry.Permanent, Ct);

        // The deleted file's failure and the changed file's old one are history ("Needs a person" counts neither): sent
        // again, they would only end Skipped before upload.
        Assert.Equal(new RetryOutcome(1, 0, LeftOut: 2), outcome);
        Assert.Equal("Discovered", (await FileAsync("kept.exe")).State);
        Assert.Equal(["changed.exe", "gone.exe"], await Harness.Database.ListAsync(
            "select relative_path from orchestrator.file_version where state = 'Failed' order by relative_path", r => r.GetString(0)));
    }

    [Fact]
    public async Task AForcedRetry_TakesTheFailureOfACopyInTheFolderNow_ThoughItsOriginalChangedSince()
    {
        Harness.WriteFile("original.exe", "MZ copied, then the original edited");
        await Harness.RunToRecordedAsync(Ct);
        File.Copy(Path.Combine(Harness.SourcePath, "original.exe"), Path.Combine(Harness.SourcePath, "copy.exe"));
        Harness.WriteFile("original.exe", "MZ edited since");
        await Harness.PlanAsync(Ct); // copy.exe is a copy of the failed version; original.exe has a new one

        var outcome = await Harness.Get<OperatorCommands>().RetryFailedAsync(PipelineHarness.SourceName, ForcedRetry.Permanent, Ct);

        // The failed content is still in the folder, at copy.exe: as the Sources page counts it, a file failed now,
        // not history, so it is queued again rather than left out (and never sent, nor listed by "Needs a person").
        Assert.Equal(new RetryOutcome(1, 0, LeftOut: 0), outcome);
    }

    [Fact]
    public async Task AFileWhoseJobFailed_IsTakenAgain_ExactlyWhenItsErrorClassIsRetriedAutomatically()
    {
        Harness.WriteFile("flaky.txt", "sometimes");
        await Harness.Admin.SetFaultsAsync(new { fail_files_matching = "flaky" });
        var first = await Harness.RunToRecordedAsync(Ct);
        await Harness.FollowUpAllAsync(first, Ct);
        var failed = await FileAsync("flaky.txt");
        await Harness.Admin.SetFaultsAsync(new { fail_files_matching = "^$" });

        var second = await Harness.SubmitAllAsync(Ct);

        Assert.Equal("Failed", failed.State);
        var retried = Enum.Parse<FailureClass>(failed.Class!).RetriedAutomatically();
        Assert.Equal(retried ? 1 : 0, second.Count);
        Assert.Equal(retried ? "Submitted" : "Failed", (await FileAsync("flaky.txt")).State);
        Assert.Equal(retried, Harness.Scheduler.Calls.Contains(("scheduled-run", $"{PipelineHarness.SourceName}:Retry"))); // a run to retry it, only if it is retried
    }

    [Fact]
    public async Task AFileWhoseJobFailedTransiently_IsTakenByARetryRun_UntilItsAttemptsAreUsedUp()
    {
        Harness.WriteFile("slow.txt", "times out");
        // Seed 5 makes the Sandbox's first job failure "Processing timed out after 1800 seconds": transient, retried by itself.
        await Harness.Admin.SetFaultsAsync(new { fail_files_matching = "slow", seed = 5 });
        var first = await Harness.RunToRecordedAsync(Ct);
        await Harness.FollowUpAllAsync(first, Ct);
        var afterFirst = await FileAsync("slow.txt");
        var retryRuns = Harness.Scheduler.Delays.Where(d => d.Step == "scheduled-run").ToList();

        var second = await Harness.RunToRecordedAsync(Ct);
        await Harness.FollowUpAllAsync(second, Ct);

        Assert.Equal(("Failed", "Transient", 1), afterFirst);
        // As for a batch that failed as a whole: the file is not left to the schedule's next run, a day away for a
        // nightly source, but taken by a run Pipeline:RetryRunAfter later. Its last attempt schedules none.
        Assert.Equal([("scheduled-run", $"{PipelineHarness.SourceName}:Retry", TimeSpan.FromMinutes(15))], retryRuns);
        Assert.Single(second);
        Assert.Equal(("Failed", 2), ((await FileAsync("slow.txt")).State, (await FileAsync("slow.txt")).Attempts));
        Assert.Single(Harness.Scheduler.Delays, d => d.Step == "scheduled-run");
    }

    private async Task<(string State, string? Class, int Attempts)> FileAsync(string path) =>
        (await Harness.Database.ListAsync(
            "select state, error_class, process_attempts from orchestrator.file_version where relative_path = $1",
            r => (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetInt32(2)),
            path)).Single();
}
