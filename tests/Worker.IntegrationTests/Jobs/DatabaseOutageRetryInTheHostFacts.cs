using Hangfire.States;

namespace BatchOrchestrator.Worker.IntegrationTests.Jobs;

/// <summary>
/// The outage rule where it must act: on the host's own Hangfire server, ahead of a job's <c>AutomaticRetry</c>.
/// Its decision alone is pinned in <see cref="DatabaseOutageRetryFacts"/>; without its registration on the server,
/// a step failing around an outage would climb its retry rule's delays again, and nothing else would notice.
/// </summary>
public sealed class DatabaseOutageRetryInTheHostFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AJobThatCannotReachTheDatabase_IsScheduledSoon_WithoutUsingUpARetry()
    {
        var failure = await RunOnceAsync(() => FailingJobs.ReachAClosedDatabaseAsync());

        Assert.Equal(ScheduledState.StateName, failure.State);
        Assert.StartsWith("The database was unreachable (NpgsqlException)", failure.Reason, StringComparison.Ordinal);
        Assert.Null(failure.RetryCount); // AutomaticRetry never counted it
        Assert.Equal("1", failure.OutageRetries);
    }

    [Fact]
    public async Task AnyOtherFailure_IsLeftToTheJobsOwnRetryRule()
    {
        // The control: the same job shape failing for another reason takes AutomaticRetry's path, so the fact
        // above tells the two apart rather than reading a state every failure would reach.
        var failure = await RunOnceAsync(() => FailingJobs.FailOnItsOwnAsync());

        Assert.Equal(ScheduledState.StateName, failure.State);
        Assert.StartsWith("Retry attempt 1 of 8", failure.Reason, StringComparison.Ordinal);
        Assert.Equal("1", failure.RetryCount);
        Assert.Null(failure.OutageRetries);
    }

    /// <summary>
    /// Runs <paramref name="job"/> on the real host once: the state its failure was elected into, and the two
    /// counters of retries (job parameters, as Hangfire stores them: a count is its digits).
    /// </summary>
    private async Task<(string State, string? Reason, string? RetryCount, string? OutageRetries)> RunOnceAsync(System.Linq.Expressions.Expression<Func<Task>> job)
    {
        await using var host = await WorkerHost.StartAsync(Env.Root, Env.Settings());
        var id = host.Services.GetRequiredService<IBackgroundJobClient>().Enqueue(job);
        using var connection = host.Services.GetRequiredService<JobStorage>().GetConnection();
        var state = await Env.EventuallyAsync(
            () => Task.FromResult(connection.GetStateData(id)),
            d => d is not null && d.Name != EnqueuedState.StateName && d.Name != ProcessingState.StateName,
            Patience,
            $"job {id} to run and fail");
        return (state.Name, state.Reason, connection.GetJobParameter(id, "RetryCount"), connection.GetJobParameter(id, "DatabaseOutageRetries"));
    }
}

/// <summary>Jobs with the retry rule of the pipeline's steps, failing as a step fails during an outage, or otherwise.</summary>
public static class FailingJobs
{
    [AutomaticRetry(Attempts = 8)]
    public static async Task ReachAClosedDatabaseAsync()
    {
        // A genuine connection failure from Npgsql, not a constructed one: a port nobody listens on.
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={LoopbackPort.Unused()};Username=nobody;Password=none;Timeout=5;Pooling=false");
        await connection.OpenAsync();
    }

    [AutomaticRetry(Attempts = 8)]
    public static Task FailOnItsOwnAsync() => throw new InvalidOperationException("a fault of the step itself");
}
