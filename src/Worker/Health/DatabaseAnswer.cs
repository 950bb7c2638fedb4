namespace BatchOrchestrator.Worker.Health;

/// <summary>
/// A database call of a readiness check, waited for only as long as the check's timeout. Npgsql cancels a query by
/// sending PostgreSQL a cancel request and waiting for the query to end; against a server that hangs (it accepts
/// connections and never answers) neither comes, and /readyz stayed without an answer for over a minute, past any
/// probe's timeout. The call left behind ends when the driver gives up on its connection.
/// </summary>
internal static class DatabaseAnswer
{
    /// <summary>The call's result; null when the check's time ran out first (the caller reports that in one line).</summary>
    public static async Task<T?> WithinAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
        where T : struct
    {
        var pending = call(cancellationToken);
        try
        {
            return await pending.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Observed, so its failure when it does end is not reported as an unobserved task exception.
            _ = pending.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return null;
        }
    }

    /// <summary>What a check says when PostgreSQL did not answer within <paramref name="timeout"/>.</summary>
    public static string NoAnswerWithin(TimeSpan timeout) => $"PostgreSQL does not answer within {timeout} (Health:DatabaseTimeout)";
}
