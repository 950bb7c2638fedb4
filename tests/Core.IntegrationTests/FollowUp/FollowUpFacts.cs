using BatchOrchestrator.Core.Leases;

namespace BatchOrchestrator.Core.IntegrationTests.FollowUp;

/// <summary>Follow-up processing over a real database and the Sandbox: jobs waited for, results fetched into both built-in sinks.</summary>
public sealed class FollowUpFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task FollowUpAsync_MirrorsEachParseResult_AsMdAndJsonBesideItsPath_AndARowPerFile()
    {
        Harness.WriteFile("a/b/report.txt", "# Quarterly report\nRevenue went up.");
        Harness.WriteFile("notes.md", "# Notes\n- one\n- two");

        var batches = await Harness.RunToRecordedAsync(Ct);
        await Harness.FollowUpAllAsync(batches, Ct);

        var output = Path.Combine(Harness.Root, "output", PipelineHarness.SourceName);
        var jobId = await Harness.Database.ScalarAsync<string>("select job_id from orchestrator.file_version where relative_path = $1", Path.Combine("a", "b", "report.txt"));
        var expected = await Harness.Get<IBatchApis>().For(ProjectScope.Default).GetParseJobAsync(jobId, ["markdown_full", "text_full"], Ct);
        Assert.Equal(expected.MarkdownFull, await File.ReadAllTextAsync(Path.Combine(output, "a", "b", "report.txt.md"), Ct));
        using (var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "a", "b", "report.txt.json"), Ct)))
        {
            Assert.Equal(jobId, json.RootElement.GetProperty("job_id").GetString());
            Assert.Equal(expected.TextFull, json.RootElement.GetProperty("text").GetString());
            Assert.Equal("COMPLETED", json.RootElement.GetProperty("result").GetProperty("status").GetString());
        }

        Assert.True(File.Exists(Path.Combine(output, "notes.md.md")));
        Assert.Empty(Directory.EnumerateFiles(output, "*.tmp", SearchOption.AllDirectories));
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.follow_up_result where markdown is not null and text is not null and result ? 'id'"));
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'FollowedUp' and followed_up_at is not null"));
        Assert.True(await Harness.Database.ScalarAsync<bool>("select follow_up_next_at is null from orchestrator.batch"));
    }

    [Fact]
    public async Task AnOlderContentsResult_FollowedUpLast_DoesNotOverwriteTheNewerOnesOutput()
    {
        Harness.WriteFile("report.txt", "first draft");
        var older = await Harness.RunToRecordedAsync(Ct);
        Harness.WriteFile("report.txt", "final text");
        var newer = await Harness.RunToRecordedAsync(Ct);

        await Harness.FollowUpAllAsync(newer, Ct);
        await Harness.FollowUpAllAsync(older, Ct); // the first draft's job answered last

        var markdown = await File.ReadAllTextAsync(Path.Combine(Harness.Root, "output", PipelineHarness.SourceName, "report.txt.md"), Ct);
        Assert.Contains("final text", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("first draft", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEditUndoneWhileTheEditWasParsed_KeepsTheRestoredContentsResult_WhenTheEditsResultComesLast()
    {
        var path = Harness.WriteFile("report.txt", "first draft");
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);
        File.WriteAllText(path, "an edit, undone while it was parsed");
        var edit = await Harness.SubmitAllAsync(Ct);
        File.WriteAllText(path, "first draft");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1)); // restored: its content, with a new mtime

        Assert.Empty(await Harness.PlanAsync(Ct)); // a copy of the first draft's version, given its result again
        await Harness.FollowUpAllAsync(await Harness.Database.ListAsync("select id from orchestrator.batch where id <> all($1)", r => r.GetInt64(0), edit.ToArray()), Ct);
        await Harness.RecordAllAsync(edit, Ct);
        await Harness.FollowUpAllAsync(edit, Ct); // the edit's job answered last

        var markdown = await File.ReadAllTextAsync(Path.Combine(Harness.Root, "output", PipelineHarness.SourceName, "report.txt.md"), Ct);
        Assert.Contains("first draft", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FollowUpAsync_WritesTheResultsOfANameNearTheLimit_AndOfOneTooLongForThem_UnderAShortenedName()
    {
        await using var harness = await PipelineHarness.CreateAsync(Server, new Dictionary<string, string?> { ["FollowUp:MaxAttempts"] = "1" });
        var near = new string('a', 236) + ".txt"; // 240 bytes: "<name>.json" is 245, within a file system's 255
        var over = new string('b', 247) + ".txt"; // 251 bytes: "<name>.json" would be 256
        var twin = new string('b', 247) + ".doc"; // the same first 233 bytes: told apart by the hash
        var wide = new string('é', 125) + ".txt"; // 254 bytes in UTF-8, two per character: its 233 bytes are cut to 232, a whole character
        foreach (var name in new[] { near, over, twin, wide })
        {
            harness.WriteFile(name, "# " + name); // contents differ: one content is sent once
        }

        await harness.FollowUpAllAsync(await harness.RunToRecordedAsync(Ct), Ct);

        var output = Path.Combine(harness.Root, "output", PipelineHarness.SourceName);
        Assert.True(File.Exists(Path.Combine(output, near + ".md")) && File.Exists(Path.Combine(output, near + ".json")));
        Assert.Empty(Directory.EnumerateFiles(output, "*.tmp", SearchOption.AllDirectories));
        Assert.Equal(0L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state <> 'FollowedUp'"));
        var results = Directory.GetFiles(output, "*.json").Select(p => System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(p))!).ToList();
        Assert.Equal(new[] { near, over, twin, wide }.Order(StringComparer.Ordinal), results.Select(r => (string)r["relative_path"]!).Order(StringComparer.Ordinal));
        foreach (var name in new[] { over, twin, wide })
        {
            var stem = FileSystemSink.ResultStem(name);
            Assert.Matches("~[0-9a-f]{16}$", stem);
            Assert.StartsWith(stem[..^17], name, StringComparison.Ordinal);
            Assert.True(System.Text.Encoding.UTF8.GetByteCount(stem + ".json") <= 255);
            Assert.StartsWith("# " + name, File.ReadAllText(Path.Combine(output, stem + ".md")), StringComparison.Ordinal);
            Assert.Equal(name, (string)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(output, stem + ".json")))!["relative_path"]!);
        }

        Assert.Equal(FileSystemSink.ResultStem(over), FileSystemSink.ResultStem(over)); // the same name, the same stem: a rerun overwrites
        Assert.NotEqual(FileSystemSink.ResultStem(over), FileSystemSink.ResultStem(twin));
        Assert.Contains(harness.Logs.Lines, m => m.Contains(over, StringComparison.Ordinal) && m.Contains("are written as", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FollowUpAsync_WaitsForJobsStillRunning_AndLooksAgainLater()
    {
        await using var slow = await PipelineHarness.CreateAsync(Server, sandboxOptions: new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(200), JobRunningSteps = 8 });
        slow.WriteFiles(3);
        var batches = await slow.RunToRecordedAsync(Ct);

        await slow.Get<FollowUpProcessor>().FollowUpAsync(batches[0], Ct);

        Assert.Equal(3L, await slow.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'Recorded' and remote_job_status in ('PENDING', 'RUNNING') and follow_up_attempts = 0"));
        Assert.True(await slow.Database.ScalarAsync<bool>("select follow_up_next_at > now() and follow_up_checks = 1 from orchestrator.batch"));
        await slow.FollowUpAllAsync(batches, Ct);
        Assert.Equal(3L, await slow.Database.ScalarAsync<long>("select count(*) from orchestrator.follow_up_result"));
    }

    [Fact]
    public async Task AFollowUpLostRightAfterRecording_IsHandedOutAgain_OnceALeasesTimeToLiveHasPassed()
    {
        await using var harness = await PipelineHarness.CreateAsync(Server, new Dictionary<string, string?> { ["Leases:TimeToLive"] = "00:00:01" });
        harness.WriteFiles(2);
        var batch = (await harness.RunToRecordedAsync(Ct)).Single();

        // The recording handed the follow-up out once; that job is lost here (it never runs), and a re-run of the
        // record step hands out nothing. The poll tick's dispatcher must bring it back, in seconds, not minutes.
        Assert.Equal([batch], harness.Scheduler.BatchIds("follow-up"));
        await harness.Get<BatchResultRecorder>().RecordAsync(batch, Ct);
        Assert.Single(harness.Scheduler.BatchIds("follow-up"));
        await Eventually.WaitAsync(
            async () =>
            {
                await harness.Get<FollowUpDispatcher>().DispatchDueAsync(10, Ct);
                return harness.Scheduler.BatchIds("follow-up").Count();
            },
            n => n == 2,
            TimeSpan.FromSeconds(15),
            "the dispatcher to hand the lost follow-up out again");
    }

    [Fact]
    public async Task AFollowUpJobThatMakesNoLook_HeldElsewhereOrPaused_CountsNone_AndComesBackWhenItMayGoOn()
    {
        const string Batch = "select follow_up_checks, follow_up_next_at - now() from orchestrator.batch where id = $1";
        await using var harness = await PipelineHarness.CreateAsync(Server, new Dictionary<string, string?> { ["LlamaCloud:Pauses:CacheFor"] = "00:00:00" });
        harness.WriteFiles(3);
        var batch = (await harness.RunToRecordedAsync(Ct)).Single();
        var processor = harness.Get<FollowUpProcessor>();

        // Another worker holds the batch's follow-up: come back once its lease would have lapsed (30 s), no look counted.
        await using (var elsewhere = await harness.Get<LeaseManager>().TryHoldAsync($"follow-up:{batch}", Ct))
        {
            Assert.NotNull(elsewhere);
            await processor.FollowUpAsync(batch, Ct);
        }

        var (looks, dueIn) = (await harness.Database.ListAsync(Batch, r => (r.GetInt32(0), r.GetFieldValue<TimeSpan>(1)), batch))[0];
        Assert.Equal(0, looks);
        Assert.InRange(dueIn, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(31));

        // The project is paused until its next probe, a minute away: come back then, no look counted.
        await harness.Database.ExecuteAsync("insert into orchestrator.project_pause (project, reason, next_probe_at) values ('default', 'circuit_open', now() + interval '1 minute')");
        await processor.FollowUpAsync(batch, Ct);

        (looks, dueIn) = (await harness.Database.ListAsync(Batch, r => (r.GetInt32(0), r.GetFieldValue<TimeSpan>(1)), batch))[0];
        Assert.Equal(0, looks);
        Assert.InRange(dueIn, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(61));
        Assert.Equal(3L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'Recorded' and follow_up_attempts = 0"));

        // Lifted, the next look is the first counted: the back-off starts where it would have without the two.
        await harness.Database.ExecuteAsync("delete from orchestrator.project_pause");
        await processor.FollowUpAsync(batch, Ct);
        Assert.Equal(1, await harness.Database.ScalarAsync<int>("select follow_up_checks from orchestrator.batch where id = $1", batch));
    }

    [Fact]
    public async Task FollowUpAsync_FailsTheFile_WithTheJobsErrorAndItsClass_WhenTheJobFailed()
    {
        Harness.WriteFile("good.txt", "fine");
        Harness.WriteFile("broken.txt", "not fine");
        await Harness.Admin.SetFaultsAsync(new { fail_files_matching = "broken" });

        var batches = await Harness.RunToRecordedAsync(Ct);
        await Harness.FollowUpAllAsync(batches, Ct);

        var (state, error, errorClass) = (await Harness.Database.ListAsync(
            "select state, error_message, error_class from orchestrator.file_version where relative_path = 'broken.txt'",
            r => (r.GetString(0), r.GetString(1), r.GetString(2))))[0];
        Assert.Equal("Failed", state);
        Assert.Equal(FailureClassifier.Classify(error).ToString(), errorClass);
        Assert.Equal("FollowUpFailed", await Harness.Database.ScalarAsync<string>("select r.follow_up_state from orchestrator.batch_result r join orchestrator.file_version v on v.id = r.file_version_id where v.relative_path = 'broken.txt'"));
        Assert.Equal("FAILED", await Harness.Database.ScalarAsync<string>("select r.remote_job_status from orchestrator.batch_result r join orchestrator.file_version v on v.id = r.file_version_id where v.relative_path = 'broken.txt'"));
        Assert.Equal("Succeeded", await Harness.Database.ScalarAsync<string>("select state from orchestrator.file_version where relative_path = 'good.txt'"));
        Assert.False(File.Exists(Path.Combine(Harness.Root, "output", PipelineHarness.SourceName, "broken.txt.json")));
        Assert.Equal( // a failed job may have billed the pages it parsed: its bill is looked for later, its estimate counts meanwhile
            [(true, false, true)],
            await Harness.Database.ListAsync(
                "select c.billed_credits is null, c.settled_at is not null, c.bill_look_at is not null from orchestrator.credit_charge c join orchestrator.file_version v on v.id = c.file_version_id where v.relative_path = 'broken.txt'",
                r => (r.GetBoolean(0), r.GetBoolean(1), r.GetBoolean(2))));
    }

    [Fact]
    public async Task FollowUpAsync_RetriesASinkThatFails_ThenGivesUpAfterMaxAttempts_LeavingTheFileSucceeded()
    {
        var failing = new FailingSink();
        await using var flaky = await PipelineHarness.CreateAsync(
            Server,
            new Dictionary<string, string?> { ["FollowUp:Sinks:0"] = "Failing", ["FollowUp:Sinks:1"] = "Postgres", ["FollowUp:MaxAttempts"] = "2" },
            services: s => s.AddSingleton<IFollowUpSink>(failing));
        flaky.WriteFiles(2);
        var batches = await flaky.RunToRecordedAsync(Ct);

        await Eventually.WaitAsync(
            async () =>
            {
                await flaky.Get<FollowUpProcessor>().FollowUpAsync(batches[0], Ct);
                return await flaky.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_attempts > 0") == 2;
            },
            TimeSpan.FromSeconds(20),
            "both finished results to meet the failing sink");
        var afterFirst = await flaky.Database.ListAsync("select follow_up_state, follow_up_attempts, follow_up_error from orchestrator.batch_result", r => (r.GetString(0), r.GetInt32(1), r.GetString(2)));
        await flaky.FollowUpAllAsync(batches, Ct);

        Assert.Contains(afterFirst, r => r == ("Recorded", 1, "sink Failing: disk full"));
        Assert.Equal(2L, await flaky.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'FollowUpFailed' and follow_up_attempts = 2"));
        Assert.Equal(2L, await flaky.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"));
        Assert.True(failing.Calls >= 4, "each document is tried alone once its chunk failed");
        Assert.Equal(2, flaky.Logs.Lines.Count(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("will not be delivered: sink Failing: disk full; Retry follow-ups", StringComparison.Ordinal)));

        failing.Heal();
        Assert.Equal(2, await flaky.Get<Core.Operations.OperatorCommands>().RetryFollowUpsAsync(batches[0], Ct));
        await flaky.FollowUpAllAsync(batches, Ct);
        Assert.Equal(2L, await flaky.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'FollowedUp'"));
    }

    [Fact]
    public async Task FollowUpAsync_OffersResultsASinkRefused_AgainAfterAWaitThatDoubles_SoASinkAwayForMinutesLosesNone()
    {
        // The look's own delay is seconds: five attempts at it were used up in under a minute of a sink's restart.
        var failing = new FailingSink();
        await using var flaky = await PipelineHarness.CreateAsync(
            Server,
            // Each call one look, and the look's own delay too short to matter however many looks the jobs take.
            new Dictionary<string, string?>
            {
                ["FollowUp:Sinks:0"] = "Failing", ["FollowUp:Sinks:1"] = "Postgres", ["FollowUp:HoldFor"] = "00:00:00", ["FollowUp:RecheckDelay"] = "00:00:00.001",
            },
            services: s => s.AddSingleton<IFollowUpSink>(failing));
        flaky.WriteFiles(2);
        var batch = (await flaky.RunToRecordedAsync(Ct))[0];
        async Task<(long Attempts, double NextLookIn)> AfterLookAsync()
        {
            await flaky.Get<FollowUpProcessor>().FollowUpAsync(batch, Ct);
            return (await flaky.Database.ListAsync(
                """
                select (select max(follow_up_attempts)::bigint from orchestrator.batch_result where batch_id = b.id),
                       coalesce(extract(epoch from b.follow_up_next_at - now())::float8, -1)
                from orchestrator.batch b where b.id = $1
                """,
                r => (r.GetInt64(0), r.GetDouble(1)),
                batch)).Single();
        }

        var first = await Eventually.WaitAsync(AfterLookAsync, l => l.Attempts > 0, TimeSpan.FromSeconds(20), "the finished results to meet the refusing sink");
        var second = await AfterLookAsync();
        failing.Heal();
        await AfterLookAsync();

        Assert.Equal(1, first.Attempts);
        Assert.InRange(first.NextLookIn, 25, 31); // FollowUp:SinkRetryDelay, 30 s
        Assert.Equal(2, second.Attempts);
        Assert.InRange(second.NextLookIn, 55, 61);
        Assert.Equal(2L, await flaky.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'FollowedUp'"));
    }

    private sealed class FailingSink : IFollowUpSink
    {
        private volatile bool healed;
        private int calls;

        public string Name => "Failing";

        public int Calls => calls;

        public void Heal() => healed = true;

        public Task WriteAsync(IReadOnlyList<FollowUpDocument> documents, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref calls);
            return healed ? Task.CompletedTask : throw new IOException("disk full");
        }
    }
}
