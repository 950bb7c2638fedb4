using BatchOrchestrator.Core.Batches;

namespace BatchOrchestrator.Core.Tests.Batches;

public sealed class PollScheduleFacts
{
    private static readonly PollingOptions Options = new()
    {
        InitialDelay = TimeSpan.FromSeconds(2),
        MaxDelay = TimeSpan.FromSeconds(60),
        ThrottledDelay = TimeSpan.FromSeconds(45),
    };

    [Fact]
    public void NextDelay_GrowsFromTheInitialDelay_UpToTheCap()
    {
        var delays = Enumerable.Range(0, 20).Select(n => PollSchedule.NextDelay(Options, BatchState.Running, n)).ToList();

        Assert.Equal(TimeSpan.FromSeconds(2), delays[0]);
        Assert.True(delays.Zip(delays.Skip(1)).All(pair => pair.First <= pair.Second));
        Assert.Equal(TimeSpan.FromSeconds(60), delays[^1]);
    }

    [Fact]
    public void NextDelay_IsTheThrottledDelay_WhileThrottled()
    {
        Assert.Equal(TimeSpan.FromSeconds(45), PollSchedule.NextDelay(Options, BatchState.Throttled, 0));
    }
}
