using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Worker.Hosting;

namespace BatchOrchestrator.Worker.IntegrationTests.Hosting;

/// <summary>The one line a refused start-up ends with: every failure in it, each once.</summary>
public sealed class StartupFailureReasonFacts
{
    [Fact]
    public void Explain_ListsEachFailureOnce_WhenTwoValidatorsReportTheSameSection()
    {
        // Hangfire:Server's validator reads Polling, and so throws Polling's failures as well as Polling's own validator.
        var polling = new OptionsValidationException("", typeof(PollingOptions), ["Polling:Interval: -00:00:05 must be between 100 ms and 10 minutes"]);
        var watch = new OptionsValidationException("", typeof(WatchOptions), ["Watching:Debounce: must be positive"]);

        var reason = StartupFailure.Explain(new AggregateException(polling, polling, watch));

        Assert.Equal("Polling:Interval: -00:00:05 must be between 100 ms and 10 minutes; Watching:Debounce: must be positive", reason);
    }
}
