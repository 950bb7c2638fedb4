namespace BatchOrchestrator.Core.Tests.LlamaCloud;

/// <summary>
/// When a request that opened its project's circuit is its own step's failure (<see cref="ProjectCircuits.OpenedAgainBy"/>):
/// only when it opens the circuit again after the service answered another request, soon after. In an outage the same
/// request can be the trial after every break (a look with nothing else waiting), and nothing closes the circuit between.
/// </summary>
public sealed class CircuitOpenedAgainFacts
{
    private const string Read = "GET /api/v2/parse/pjb-1?expand=text_full";
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(30);

    [Fact]
    public void TheSameRequestOpeningItAgain_AfterAnotherWasAnswered_IsItsOwnFailure()
    {
        var (clock, circuits) = Circuits();
        circuits.Opened("p", default, Break, "HTTP 502", Read);
        circuits.Closed("p"); // the pause's probe was answered
        clock.Advance(TimeSpan.FromMinutes(1));

        circuits.Opened("p", default, Break, "HTTP 502", Read);

        Assert.True(circuits.OpenedAgainBy("p", Read));
        Assert.False(circuits.OpenedAgainBy("p", "GET /api/v2/parse/pjb-2?expand=text_full"));
    }

    [Fact]
    public void InAnOutage_TheSameRequestReopeningIt_WithNothingAnsweredBetween_IsNot()
    {
        var (clock, circuits) = Circuits();
        circuits.Opened("p", default, Break, "HTTP 503", Read);
        clock.Advance(Break);

        circuits.Opened("p", default, Break, "HTTP 503", Read); // the trial, failed: nothing closed the circuit

        Assert.False(circuits.OpenedAgainBy("p", Read));
    }

    [Fact]
    public void OpeningsFarApart_AreTwoEvents_NotOneRequestFailingAgain()
    {
        var (clock, circuits) = Circuits();
        circuits.Opened("p", default, Break, "HTTP 502", Read);
        circuits.Closed("p");
        clock.Advance(TimeSpan.FromDays(1));

        circuits.Opened("p", default, Break, "HTTP 502", Read);

        Assert.False(circuits.OpenedAgainBy("p", Read));
    }

    private static (ManualClock Clock, ProjectCircuits Circuits) Circuits()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        return (clock, new ProjectCircuits(clock));
    }
}
