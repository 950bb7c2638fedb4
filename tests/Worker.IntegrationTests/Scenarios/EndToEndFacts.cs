namespace BatchOrchestrator.Worker.IntegrationTests.Scenarios;

/// <summary>The whole pipeline in the real host, against the Sandbox over loopback HTTP and a real PostgreSQL.</summary>
public sealed class EndToEndFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task FiftyFiles_EndWithRecordedJobReferences_AndRunningAgainUploadsNothingTwice()
    {
        var settings = Env.Settings();
        settings["Serilog:MinimumLevel:Default"] = "Verbose";
        var logs = new CapturingSink();
        await using var host = await WorkerHost.StartAsync(Env.Root, settings, logs);
        Directory.CreateDirectory(Path.Combine(Env.Inbox, "sub dir"));
        for (var i = 0; i < 50; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(Env.Inbox, i % 5 == 0 ? $"sub dir/ü {i}.txt" : $"file-{i}.txt"), $"document {i}", Ct);
        }

        host.TriggerRun();
        await WaitForSucceededAsync(50);

        var references = await Env.Database.ListAsync(
            "select remote_file_id, job_type, job_id from orchestrator.file_version where state = 'Succeeded'",
            r => (r.GetString(0), r.GetString(1), r.GetString(2)));
        Assert.All(references, r =>
        {
            Assert.StartsWith("dfl-", r.Item1, StringComparison.Ordinal);
            Assert.Equal("parse_v2", r.Item2);
            Assert.StartsWith("pjb-", r.Item3, StringComparison.Ordinal);
        });
        // Follow-up moves results on from Recorded as soon as they are recorded: count the references themselves.
        Assert.Equal(50L, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where job_id is not null"));

        host.TriggerRun();
        host.TriggerRun();
        await Env.EventuallyAsync(
            () => Env.Database.ScalarAsync<long>("select count(*) from orchestrator.run where state = 'NoChanges'"), n => n >= 2, Patience, "two more runs to finish");

        var counters = await Env.Admin.CountersAsync();
        Assert.Equal(50, counters.UploadsTotal);
        Assert.Equal(50, counters.UploadsByUniqueId.Count);
        Assert.All(counters.UploadsByUniqueId.Values, n => Assert.Equal(1, n));
        Assert.Equal(1, counters.BatchCreatesTotal);
        Assert.DoesNotContain(logs.AllFormats, line => line.Contains(TestEnvironment.ApiKey, StringComparison.Ordinal));

        // Hangfire jobs are per run, batch step and poll tick, never per file (DESIGN decision 7): the three
        // runs asked for (plus a settle run, or runs the watcher's events for the 50 writes start when they come
        // late on a busy machine: six run jobs seen once), and one batch's upload, submit, record and a few
        // follow-up looks, whatever the number of files: far from one job per file.
        var stepJobs = await Env.Database.ListAsync(
            "select invocationdata::jsonb->>'Type' from hangfire.job where invocationdata::text not like '%PollBatchesJob%'", r => r.GetString(0));
        Assert.InRange(stepJobs.Count(t => t.Contains("RunSourceJob", StringComparison.Ordinal)), 3, 8);
        Assert.Single(stepJobs, t => t.Contains("UploadBatchJob", StringComparison.Ordinal));
        Assert.Single(stepJobs, t => t.Contains("SubmitBatchJob", StringComparison.Ordinal));
        Assert.InRange(stepJobs.Count, 7, 17);
    }

    [Fact]
    public async Task TheDashboard_ShowsTheJobsThatDidIt()
    {
        await using var host = await WorkerHost.StartAsync(Env.Root, Env.Settings());
        await File.WriteAllTextAsync(Path.Combine(Env.Inbox, "one.txt"), "one", Ct);
        host.TriggerRun();
        await WaitForSucceededAsync(1);
        using var http = new HttpClient { BaseAddress = host.Address };

        var page = await Env.EventuallyAsync(
            () => http.GetStringAsync(new Uri("hangfire/jobs/succeeded", UriKind.Relative)),
            html => html.Contains("Record results of batch", StringComparison.Ordinal),
            Patience,
            "the record job to show as succeeded");

        Assert.Contains("Upload batch", page, StringComparison.Ordinal);
        Assert.Contains("Submit batch", page, StringComparison.Ordinal);
        Assert.Contains("Run source e2e", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("hangfire/recurring", UriKind.Relative), Ct)).StatusCode);
    }

    [Fact]
    public async Task ABadConfigurationValue_StopsStartUp_WithTheKeyNamed()
    {
        var settings = Env.Settings();
        settings["Sources:0:Path"] = Path.Combine(Env.Root, "not-mounted");
        settings["Sources:0:JobType"] = "parse";

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => WorkerHost.StartAsync(Env.Root, settings));

        Assert.Contains("Sources:0:Path: directory", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sources:0:JobType: 'parse' must be parse_v2 or extract_v2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAnApiKey_TheWorkerHostsTheSandboxItself_AndStillRecordsEveryFile()
    {
        var settings = Env.Settings();
        settings["LLAMA_CLOUD_API_KEY"] = "";
        settings["LLAMA_CLOUD_BASE_URL"] = "";
        var logs = new CapturingSink();
        await using var host = await WorkerHost.StartAsync(Env.Root, settings, logs);
        await Env.WriteFilesAsync(3, "in-process");

        host.TriggerRun();
        await WaitForSucceededAsync(3);

        Assert.Single(logs.Lines, line => line.Contains("No LLAMA_CLOUD_API_KEY is set", StringComparison.Ordinal));
        Assert.Equal(0, (await Env.Admin.CountersAsync()).UploadsTotal); // nothing went to the external Sandbox
    }

    private Task<long> WaitForSucceededAsync(long count) => Env.WaitAsync(
        "select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null", count, Patience, $"{count} files to have job references");
}
