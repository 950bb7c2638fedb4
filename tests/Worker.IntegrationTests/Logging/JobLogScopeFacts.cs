namespace BatchOrchestrator.Worker.IntegrationTests.Logging;

/// <summary>Every line a job logs, ours and the libraries', carries the job's source, run and batch.</summary>
public sealed class JobLogScopeFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    private static readonly string[] BatchSteps = ["BatchUploader", "BatchSubmitter", "BatchResultRecorder", "Polly"];

    [Fact]
    public async Task EveryLineOfABatchStep_CarriesSourceRunAndBatch_AndEveryRunLine_SourceAndRun()
    {
        await Env.WriteFilesAsync(3);
        var logs = new CapturingSink();
        var settings = Env.Settings();
        settings["Serilog:MinimumLevel:Default"] = "Debug";
        await using (var host = await WorkerHost.StartAsync(Env.Root, settings, logs))
        {
            host.TriggerRun();
            await Env.WaitForEndedAsync(3);
        }

        // The poll tick is one job over every due batch: its lines name each batch in the message, not in a scope.
        var pollJobs = (await Env.Database.ListAsync(
            "select id::text from hangfire.job where invocationdata::text like '%PollBatchesJob%'", r => r.GetString(0))).ToHashSet(StringComparer.Ordinal);
        var batchStepLines = logs.Events
            .Where(e => From(e, BatchSteps) && e.Properties.TryGetValue("JobId", out var job) && !pollJobs.Contains(((ScalarValue)job).Value?.ToString() ?? ""))
            .ToList();
        var runLines = logs.Events.Where(e => From(e, "SourceScanner", "SourceRunner")).ToList();

        Assert.Contains(batchStepLines, e => From(e, "BatchUploader"));
        Assert.Contains(batchStepLines, e => From(e, "BatchSubmitter"));
        Assert.Contains(batchStepLines, e => From(e, "BatchResultRecorder"));
        Assert.Contains(batchStepLines, e => From(e, "Polly")); // the HTTP pipeline's lines (one per attempt), inside a job
        Assert.All(batchStepLines, e => Assert.True(
            Has(e, "Source", "e2e") && e.Properties.ContainsKey("RunId") && e.Properties.ContainsKey("BatchId"), Describe(e)));
        Assert.NotEmpty(runLines);
        Assert.All(runLines, e => Assert.True(Has(e, "Source", "e2e") && e.Properties.ContainsKey("RunId") && e.Properties.ContainsKey("JobId"), Describe(e)));
    }

    private static bool From(LogEvent e, params string[] types) =>
        e.Properties.TryGetValue("SourceContext", out var context) && types.Any(t => context.ToString().EndsWith(t + "\"", StringComparison.Ordinal));

    private static bool Has(LogEvent e, string name, string value) =>
        e.Properties.TryGetValue(name, out var property) && property is ScalarValue { Value: string text } && text == value;

    private static string Describe(LogEvent e) => $"{e.MessageTemplate.Text} {string.Join(' ', e.Properties.Select(p => $"{p.Key}={p.Value}"))}";
}
