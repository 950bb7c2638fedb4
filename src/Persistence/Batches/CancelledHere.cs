namespace BatchOrchestrator.Persistence.Batches;

/// <summary>
/// A batch that ended cancelled as an operator here asked: at LlamaCloud, or before it was created there. A cancel that came
/// after the batch ended leaves it as it ended (docs/operations.md, <c>cancel batch</c>). RemoteOnly planning sends no such
/// batch's directory again while it is unchanged, and a retry does not count it as sent back (docs/sources.md): the two
/// must read the same batches, hence one condition.
/// </summary>
internal static class CancelledHere
{
    /// <summary>The condition on batch alias <paramref name="batch"/>, with <paramref name="cancelled"/> the parameter naming the Cancelled state.</summary>
    public static string Condition(string batch, string cancelled) =>
        $"({batch}.cancel_requested_at is not null and ({batch}.remote_status = {cancelled} or {batch}.remote_batch_id is null))";
}
