using BatchOrchestrator.Core.FollowUp;

namespace BatchOrchestrator.Core.Tests.FollowUp;

/// <summary>The wait before results a sink refused are offered again, and which refusals set it.</summary>
public sealed class SinkRetriesFacts
{
    private const int MaxAttempts = 5;

    [Fact]
    public void TheWait_DoublesPerAttempt_FromTheSetDelay_UpToTheLongestRecheck_AndIsNoneWhenNothingIsTriedAgain()
    {
        var settings = new FollowUpOptions { SinkRetryDelay = TimeSpan.FromSeconds(30), MaxRecheckDelay = TimeSpan.FromMinutes(3) };

        // At most the batch's longest wait between looks: its other jobs are looked at no less often.
        Assert.Equal(
            [TimeSpan.Zero, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(3)],
            new[] { 0, 1, 2, 3, 4, 40 }.Select(n => SinkRetries.Delay(settings, n)));
    }

    [Fact]
    public void ADeliveryThatUsedItsLastAttempt_SetsNoWait_SoTheBatchsOtherJobsAreNotHeldBack()
    {
        var last = Look(1, attempts: MaxAttempts - 1);

        Assert.Equal(0, SinkRetries.Attempts([last], Refused(new Delivery(1, null)), MaxAttempts));
    }

    [Fact]
    public void TheMostAttemptsOfAnyRefusedDelivery_CopiesToo_SetTheWait_AndDeliveriesTakenDoNot()
    {
        var own = Look(1, attempts: 1);
        var withCopy = Look(2, attempts: 0) with { Item = Look(2, attempts: 0).Item with { Copies = [new FileCopy(7, "copy.txt", 3)] } };
        var taken = Look(3, attempts: 4);

        Assert.Equal(2, SinkRetries.Attempts([own, withCopy, taken], Refused(new Delivery(1, null)), MaxAttempts));
        Assert.Equal(4, SinkRetries.Attempts([own, withCopy, taken], Refused(new Delivery(1, null), new Delivery(2, 7)), MaxAttempts));
        Assert.Equal(0, SinkRetries.Attempts([own, withCopy, taken], Refused(), MaxAttempts));
    }

    private static JobLook Look(long resultId, int attempts) =>
        new(new FollowUpItem(resultId, resultId, $"{resultId}.txt", $"dfl-{resultId}", "parse_v2", $"pjb-{resultId}", attempts, false), LookKind.Finished);

    private static SinkWrites Refused(params Delivery[] deliveries) =>
        new(deliveries.ToDictionary(d => d, _ => "sink Failing: disk full"), new HashSet<Delivery>());
}
