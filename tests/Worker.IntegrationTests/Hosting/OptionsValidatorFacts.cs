using BatchOrchestrator.Worker.Hosting;

namespace BatchOrchestrator.Worker.IntegrationTests.Hosting;

/// <summary>The Worker's own sections: a bad value is refused with its key named; the defaults pass.</summary>
[Collection(ChildProcesses.Collection)]
public sealed class OptionsValidatorFacts
{
    [Fact]
    public void HangfireServer_RefusesNoWorkers_NoPolling_ANegativeShutdown_AndABadQueueName()
    {
        var options = new JobServerOptions { WorkerCount = 0, SchedulePollingInterval = TimeSpan.Zero, ShutdownTimeout = TimeSpan.FromSeconds(-1), Queues = ["default", "", "Node A"] };

        var failures = new JobServerOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(4, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Hangfire:Server:WorkerCount: 0 ", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Hangfire:Server:SchedulePollingInterval: ", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Hangfire:Server:ShutdownTimeout: ", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Hangfire:Server:Queues:2: 'Node A' ", StringComparison.Ordinal));
        Assert.True(new JobServerOptionsValidator().Validate(null, new JobServerOptions()).Succeeded);
    }

    [Fact]
    public void Watching_RefusesNoDebounce_AndAMaxDelayShorterThanIt()
    {
        var failures = new WatchOptionsValidator().Validate(null, new WatchOptions { Debounce = TimeSpan.Zero, MaxDelay = TimeSpan.FromSeconds(-1) }).Failures!.ToList();

        Assert.Equal(2, failures.Count);
        Assert.StartsWith("Watching:Debounce: ", failures[0], StringComparison.Ordinal);
        Assert.StartsWith("Watching:MaxDelay: ", failures[1], StringComparison.Ordinal);
        Assert.True(new WatchOptionsValidator().Validate(null, new WatchOptions()).Succeeded);
    }

    [Fact]
    public void Health_RefusesAnApiCheckUnderASecond()
    {
        Assert.StartsWith("Health:ApiCheckInterval: ", Assert.Single(new HealthOptionsValidator().Validate(null, new HealthOptions { ApiCheckInterval = TimeSpan.Zero }).Failures!), StringComparison.Ordinal);
        Assert.True(new HealthOptionsValidator().Validate(null, new HealthOptions()).Succeeded);
    }

    [Fact]
    public void Metrics_RefusesAConstantRefresh_AndAPathWithoutItsSlash()
    {
        var failures = new MetricsOptionsValidator().Validate(null, new MetricsOptions { RefreshInterval = TimeSpan.Zero, Path = "metrics" }).Failures!.ToList();

        Assert.Equal(2, failures.Count);
        Assert.StartsWith("Metrics:RefreshInterval: ", failures[0], StringComparison.Ordinal);
        Assert.StartsWith("Metrics:Path: 'metrics' ", failures[1], StringComparison.Ordinal);
        Assert.True(new MetricsOptionsValidator().Validate(null, new MetricsOptions { Path = "" }).Succeeded); // empty turns it off
    }

    [Fact]
    public void Logs_RefusesAFormatItDoesNotKnow()
    {
        Assert.StartsWith("Logs:Format: 7 ", Assert.Single(new LogOptionsValidator().Validate(null, new LogOptions { Format = (LogFormat)7 }).Failures!), StringComparison.Ordinal);
        Assert.True(new LogOptionsValidator().Validate(null, new LogOptions { Format = LogFormat.Json }).Succeeded);
    }

    [Fact]
    public void Verb_RefusesANameNoVerbHas()
    {
        Assert.StartsWith("Verb:Name: 'rerun' is not a verb", Assert.Single(new VerbOptionsValidator().Validate(null, new VerbOptions { Name = "rerun" }).Failures!), StringComparison.Ordinal);
        Assert.True(new VerbOptionsValidator().Validate(null, new VerbOptions { Name = Verbs.CancelBatch }).Succeeded);
    }
}
