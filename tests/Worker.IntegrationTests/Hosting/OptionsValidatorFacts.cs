using System.Globalization;
using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Worker.Hosting;
using BatchOrchestrator.Worker.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Serilog;

namespace BatchOrchestrator.Worker.IntegrationTests.Hosting;

/// <summary>The Worker's own sections: a bad value is refused with its key named; the defaults pass.</summary>
[Collection(ChildProcesses.Collection)]
public sealed class OptionsValidatorFacts
{
    [Fact]
    public void HangfireServer_RefusesNoWorkers_NoPolling_ANegativeShutdown_AndABadQueueName()
    {
        var options = new JobServerOptions { WorkerCount = 0, SchedulePollingInterval = TimeSpan.Zero, ShutdownTimeout = TimeSpan.FromSeconds(-1), Queues = ["default", "", "Node A"] };

        var failures = Validator().Validate(null, options).Failures!.ToList();

        Assert.Equal(4, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Hangfire:Server:WorkerCount: 0 ", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Hangfire:Server:SchedulePollingInterval: ", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Hangfire:Server:ShutdownTimeout: ", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Hangfire:Server:Queues:2: 'Node A' ", StringComparison.Ordinal));
        Assert.True(Validator().Validate(null, new JobServerOptions()).Succeeded);
    }

    [Theory]
    [InlineData(3, "00:00:15", "00:01:00", false)] // the held tick and two follow-ups would take all three
    [InlineData(1, "00:00:00", "00:01:00", false)] // the held tick alone would take the one
    [InlineData(4, "00:00:15", "00:01:00", true)]
    [InlineData(2, "00:00:00", "00:01:00", true)]
    [InlineData(1, "00:00:00", "00:00:00", true)] // nothing waits in place
    public void HangfireServer_RefusesWorkersThatJobsWaitingInPlaceWouldAllTake(int workers, string followUpHoldFor, string holdTickFor, bool accepted)
    {
        var validator = Validator(
            new PollingOptions { HoldTickFor = TimeSpan.Parse(holdTickFor, CultureInfo.InvariantCulture) },
            new FollowUpOptions { HoldFor = TimeSpan.Parse(followUpHoldFor, CultureInfo.InvariantCulture) });

        var result = validator.Validate(null, new JobServerOptions { WorkerCount = workers });

        Assert.Equal(accepted, result.Succeeded);
        if (!accepted)
        {
            Assert.StartsWith($"Hangfire:Server:WorkerCount: {workers} workers leave none for the other steps", Assert.Single(result.Failures!), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Watching_RefusesNoDebounce_AMaxDelayShorterThanIt_AndNoFolderCheck()
    {
        var failures = new WatchOptionsValidator().Validate(null, new WatchOptions { Debounce = TimeSpan.Zero, MaxDelay = TimeSpan.FromSeconds(-1), FolderCheck = TimeSpan.Zero }).Failures!.ToList();

        Assert.Equal(3, failures.Count);
        Assert.StartsWith("Watching:Debounce: ", failures[0], StringComparison.Ordinal);
        Assert.StartsWith("Watching:MaxDelay: ", failures[1], StringComparison.Ordinal);
        Assert.StartsWith("Watching:FolderCheck: ", failures[2], StringComparison.Ordinal);
        Assert.True(new WatchOptionsValidator().Validate(null, new WatchOptions()).Succeeded);
        Assert.StartsWith("Watching:FolderCheck: ", Assert.Single(new WatchOptionsValidator().Validate(null, new WatchOptions { FolderCheck = TimeSpan.FromDays(2) }).Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void Health_RefusesAnApiCheckUnderASecond_AnApiTimeoutPastTheChecksLimit_AndADatabaseTimeoutOutsideATenthOfASecondToAMinute()
    {
        Assert.StartsWith("Health:ApiCheckInterval: ", Assert.Single(new HealthOptionsValidator().Validate(null, new HealthOptions { ApiCheckInterval = TimeSpan.Zero }).Failures!), StringComparison.Ordinal);
        var failures = new HealthOptionsValidator().Validate(null, new HealthOptions { ApiCheckInterval = TimeSpan.Zero, DatabaseTimeout = TimeSpan.Zero }).Failures!.ToList();
        Assert.Equal(2, failures.Count); // all of them, each with its key
        Assert.StartsWith("Health:DatabaseTimeout: ", failures[1], StringComparison.Ordinal);
        Assert.StartsWith("Health:DatabaseTimeout: ", Assert.Single(new HealthOptionsValidator().Validate(null, new HealthOptions { DatabaseTimeout = TimeSpan.FromMinutes(2) }).Failures!), StringComparison.Ordinal);
        Assert.StartsWith("Health:ApiTimeout: ", Assert.Single(new HealthOptionsValidator().Validate(null, new HealthOptions { ApiTimeout = TimeSpan.FromSeconds(10) }).Failures!), StringComparison.Ordinal);
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
        // A refresh timer of more than 49.7 days would throw in the background service, stopping the host with no key named.
        Assert.StartsWith("Metrics:RefreshInterval: 60.00:00:00 ", Assert.Single(new MetricsOptionsValidator().Validate(null, new MetricsOptions { RefreshInterval = TimeSpan.FromDays(60) }).Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void Logs_RefusesAFormatItDoesNotKnow()
    {
        var validator = new LogOptionsValidator(new ConfigurationBuilder().Build());
        Assert.StartsWith("Logs:Format: 7 ", Assert.Single(validator.Validate(null, new LogOptions { Format = (LogFormat)7 }).Failures!), StringComparison.Ordinal);
        Assert.True(validator.Validate(null, new LogOptions { Format = LogFormat.Json }).Succeeded);
    }

    [Fact]
    public void Logs_NamesEverySerilogLevelSerilogWouldThrowFor_AndKeepsThemFromSerilog()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Default"] = "Loud",
            ["Serilog:MinimumLevel:Override:Npgsql"] = "warning", // Serilog ignores the case
            ["Serilog:MinimumLevel:Override:Hangfire"] = "Quiet",
        }).Build();

        Assert.Equal(
            [
                "Serilog:MinimumLevel:Default: 'Loud' must be one of Verbose, Debug, Information, Warning, Error, Fatal",
                "Serilog:MinimumLevel:Override:Hangfire: 'Quiet' must be one of Verbose, Debug, Information, Warning, Error, Fatal",
            ],
            new LogOptionsValidator(configuration).Validate(null, new LogOptions()).Failures!);
        var readable = SerilogLevels.Readable(configuration);
        Assert.Null(readable["Serilog:MinimumLevel:Default"]);
        Assert.Equal("warning", readable["Serilog:MinimumLevel:Override:Npgsql"]);
        new LoggerConfiguration().ReadFrom.Configuration(readable).CreateLogger().Dispose(); // what threw in Build
    }

    [Fact]
    public void Verb_RefusesANameNoVerbHas()
    {
        Assert.StartsWith("Verb:Name: 'rerun' is not a verb", Assert.Single(new VerbOptionsValidator().Validate(null, new VerbOptions { Name = "rerun" }).Failures!), StringComparison.Ordinal);
        Assert.True(new VerbOptionsValidator().Validate(null, new VerbOptions { Name = Verbs.CancelBatch }).Succeeded);
    }

    private static JobServerOptionsValidator Validator(PollingOptions? polling = null, FollowUpOptions? followUp = null) =>
        new(Options.Create(polling ?? new PollingOptions()), Options.Create(followUp ?? new FollowUpOptions()));
}
