using BatchOrchestrator.Core.Lifecycle;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// The wait before results a sink refused are offered to it again: <see cref="FollowUpOptions.SinkRetryDelay"/>, doubled per
/// attempt after the first, up to <see cref="FollowUpOptions.MaxRecheckDelay"/>. A sink away (a share remounted, a database or an endpoint restarting) is not a bad result, and the
/// look's own delay, seconds, used every attempt up within a minute of it (docs/pipeline.md, "Follow-up").
/// </summary>
internal static class SinkRetries
{
    /// <summary>
    /// The most attempts any refused delivery of a look has once this one is counted, among those that will be tried again; 0
    /// when none will. A delivery that just used its last attempt ends, and must not hold back the batch's other jobs.
    /// </summary>
    public static int Attempts(IEnumerable<JobLook> delivered, SinkWrites written, int maxAttempts) =>
        written.Errors.Count == 0 ? 0 : delivered
            .SelectMany(l => l.Item.Copies.Select(c => (Delivery: new Delivery(l.Item.ResultId, c.Id), c.Attempts)).Prepend((Delivery: new Delivery(l.Item.ResultId, null), l.Item.Attempts)))
            .Where(d => written.Errors.ContainsKey(d.Delivery) && FollowUpLifecycle.AfterFailedLook(d.Attempts, maxAttempts) == FollowUpState.Recorded)
            .Select(d => d.Attempts + 1)
            .DefaultIfEmpty(0)
            .Max();

    /// <summary>
    /// No wait of its own when nothing refused will be tried again; else the delay, doubled per attempt after the first, at
    /// most <see cref="FollowUpOptions.MaxRecheckDelay"/>: the wait is the whole batch's, whose other jobs must still be
    /// looked at that often (a result refused for good, a name clash, say, would otherwise hold them back for hours).
    /// </summary>
    public static TimeSpan Delay(FollowUpOptions settings, int attempts) =>
        attempts == 0 ? TimeSpan.Zero : TimeSpan.FromTicks((long)Math.Min(settings.SinkRetryDelay.Ticks * Math.Pow(2, Math.Min(attempts - 1, 20)), settings.MaxRecheckDelay.Ticks));
}
