namespace BatchOrchestrator.Worker.IntegrationTests.MultiInstance;

/// <summary>
/// Two Worker processes on one PostgreSQL and one Sandbox (as the compose file and the Kubernetes
/// Deployment run them): they share the work, and the Sandbox's own counters show every effect once.
/// Each process is the built executable, so Hangfire's static configuration is not shared between them.
/// </summary>
public sealed partial class TwoInstancesFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    private const int Files = 40;
    private const int FilesPerBatch = 5;

    [Fact]
    public async Task TwoInstancesShareTheWork_AndTheSandboxSeesEveryUploadAndBatchOnce()
    {
        await Env.WriteFilesAsync(Files);
        await using var json = WorkerProcess.Start(Env.Root, ["run"], Settings("Json"));
        await using var text = WorkerProcess.Start(Env.Root, ["run"], Settings("Text"));

        await Env.EventuallyAsync(
            async () =>
            {
                Assert.False(json.HasExited || text.HasExited, string.Join('\n', json.Errors.Concat(text.Errors).Concat(json.Output.TakeLast(20))));
                // What is left, for the message if this times out: each batch's id, state and succeeded files.
                return await Env.Database.ListAsync(
                    "select b.id || ':' || b.state || ':' || count(*) filter (where fv.state = 'Succeeded' and fv.job_id is not null) from orchestrator.batch b left join orchestrator.file_version fv on fv.batch_id = b.id group by b.id order by b.id",
                    r => r.GetString(0));
            },
            batches => batches.Sum(b => int.Parse(b.Split(':')[2], System.Globalization.CultureInfo.InvariantCulture)) >= Files,
            TimeSpan.FromSeconds(240),
            $"{Files} files to get job references");

        var counters = await Env.Admin.CountersAsync();
        Assert.Equal(Files, counters.UploadsTotal);
        Assert.Equal(Files, counters.UploadsByUniqueId.Count);
        Assert.All(counters.UploadsByUniqueId.Values, n => Assert.Equal(1, n));
        Assert.Equal(Files / FilesPerBatch, counters.BatchCreatesTotal);
        Assert.Equal(Files / FilesPerBatch, counters.BatchCreatesByDirectory.Count);
        Assert.All(counters.BatchCreatesByDirectory.Values, n => Assert.Equal(1, n));
        Assert.Equal(Files / FilesPerBatch, counters.DirectoryCreatesTotal);
        Assert.Equal(Files, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result"));

        // Both instances did jobs (each Hangfire server has its own id).
        var servers = await Env.Database.ListAsync(
            "select distinct (data::jsonb)->>'ServerId' from hangfire.state where name = 'Processing'", r => r.GetString(0));
        Assert.True(servers.Select(s => s.Split(':')[1]).Distinct(StringComparer.Ordinal).Count() >= 2, string.Join(", ", servers));

        await json.StopAsync();
        await text.StopAsync();

        // Logs: JSON objects from one, human-readable lines from the other; a batch step's lines carry source, run and batch.
        Assert.All(json.Output, line => JsonDocument.Parse(line).Dispose());
        var jsonStep = json.Output.Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("@mt", out var mt) && mt.GetString()!.StartsWith("Uploads of batch", StringComparison.Ordinal)).ToList();
        var textSteps = text.Output.Where(l => TextStepLine().IsMatch(l)).ToList();
        Assert.True(jsonStep.Count + textSteps.Count >= Files / FilesPerBatch, "every batch's upload step logged once");
        Assert.All(jsonStep, e => Assert.True(e.TryGetProperty("Source", out _) && e.TryGetProperty("RunId", out _) && e.TryGetProperty("BatchId", out _) && e.TryGetProperty("JobId", out _)));
        Assert.DoesNotContain(json.Output.Concat(json.Errors).Concat(text.Output).Concat(text.Errors), l => l.Contains(TestEnvironment.ApiKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASourcePinnedToAQueue_IsScannedUploadedAndFollowedUpOnlyByTheInstanceServingIt()
    {
        const int pinnedFiles = 10;
        await Env.WriteFilesAsync(pinnedFiles);
        var elsewhere = Settings("Json"); // serves the default queue only, and cannot see the folder
        elsewhere["Sources:0:Queue"] = "inbox-node";
        elsewhere["Sources:0:Path"] = Path.Combine(Env.Root, "mounted-on-another-node"); // no such folder here
        elsewhere["Sources:0:Watch"] = "true";
        var owner = Settings("Json");
        owner["Sources:0:Queue"] = "inbox-node";
        owner["Hangfire:Server:Queues:0"] = "inbox-node";
        owner["Hangfire:Server:Queues:1"] = "default";
        await using var other = WorkerProcess.Start(Env.Root, ["run"], elsewhere);
        await using var node = WorkerProcess.Start(Env.Root, ["run"], owner);

        await Env.EventuallyAsync(
            async () =>
            {
                Assert.False(other.HasExited || node.HasExited, string.Join('\n', other.Errors.Concat(node.Errors)));
                return await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'FollowedUp'");
            },
            n => n >= pinnedFiles,
            TimeSpan.FromSeconds(240),
            $"{pinnedFiles} files to be processed and followed up");
        var performed = await Env.Database.ListAsync(
            """
            select j.invocationdata::jsonb->>'Type', (s.data::jsonb)->>'ServerId'
            from hangfire.state s join hangfire.job j on j.id = s.jobid
            where s.name = 'Processing'
            """,
            r => (Type: r.GetString(0), Server: r.GetString(1)));
        await other.StopAsync();
        await node.StopAsync();

        // Every step that touches the folder or writes beside it ran on the owner; the others ran anywhere.
        var nodeId = node.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var job in new[] { "RunSourceJob", "UploadBatchJob", "FollowUpBatchJob" })
        {
            var servers = performed.Where(p => p.Type.Contains(job, StringComparison.Ordinal)).Select(p => p.Server.Split(':')[1]).ToList();
            Assert.NotEmpty(servers);
            Assert.All(servers, pid => Assert.Equal(nodeId, pid));
        }

        Assert.Contains(other.Output.Concat(other.Errors), l => l.Contains("which this instance does not serve", StringComparison.Ordinal));
        Assert.Equal(pinnedFiles, (await Env.Admin.CountersAsync()).UploadsTotal);
    }

    private Dictionary<string, string?> Settings(string logFormat)
    {
        var settings = Env.Settings();
        settings["Urls"] = "http://127.0.0.1:0";
        settings["Logs:Format"] = logFormat;
        settings["Sources:0:Path"] = Env.Inbox;
        settings["Sources:0:Schedule"] = "*/2 * * * * *"; // both instances see the schedule; one run happens per tick
        settings["Pipeline:MaxFilesPerBatch"] = FilesPerBatch.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Polling:Interval"] = "00:00:01";
        settings["Polling:InitialDelay"] = "00:00:00.100";
        settings["Polling:MaxDelay"] = "00:00:01";
        settings["Hangfire:Server:SchedulePollingInterval"] = "00:00:01";
        settings["Hangfire:Storage:QueuePollInterval"] = "00:00:00.200";
        settings["Hangfire:Server:WorkerCount"] = "4";
        return settings;
    }

    [GeneratedRegex(@"^\[\d\d:\d\d:\d\d INF\] \[source=e2e run=\d+ batch=\d+ job=\d+\] Uploads of batch \d+ finished")]
    private static partial Regex TextStepLine();
}
