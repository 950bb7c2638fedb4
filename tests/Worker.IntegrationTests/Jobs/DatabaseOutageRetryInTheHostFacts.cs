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
        await using var host = await WorkerHost.StartAsync(Env.Root, Env.Settings());
        var id = host.Services.GetRequiredService<IBackgroundJobClient>().Enqueue(() => FailingJobs.ReachAClosedDatabaseAsync());

        var (state, reason) = await SettledAsync(host, id);

        Assert.Equal(ScheduledState.StateName, state);
        Assert.StartsWith("The database was unreachable (NpgsqlException)", reason, StringComparison.Ordinal);
        Assert.Null(Parameter(host, id, "RetryCount")); // AutomaticRetry never counted it
        Assert.Equal("1", Parameter(host, id, "DatabaseOutageRetries"));
    }

    [Fact]
    public async Task AnyOtherFailure_IsLeftToTheJobsOwnRetryRule()
    {
        // The control: the same job shape failing for another reason takes AutomaticRetry's path, so the fact
        // above tells the two apart rather than reading a state every failure would reach.
        await using var host = await WorkerHost.StartAsync(Env.Root, Env.Settings());
        var id = host.Services.GetRequiredService<IBackgroundJobClient>().Enqueue(() => FailingJobs.FailOnItsOwn());

        var (state, reason) = await SettledAsync(host, id);

        Assert.Equal(ScheduledState.StateName, state);
        Assert.StartsWith("Retry attempt 1 of 8", reason, StringComparison.Ordinal);
        Assert.Equal("1", Parameter(host, id, "RetryCount"));
        Assert.Null(Parameter(host, id, "DatabaseOutageRetries"));
    }

    /// <summary>The job's state once it has run and failed: what the state election chose.</summary>
    private static async Task<(string State, string? Reason)> SettledAsync(WorkerHost host, string id)
    {
        var data = await Eventually.WaitAsync(
            () => Task.FromResult(Connection(host).GetStateData(id)),
            d => d is not null && d.Name != EnqueuedState.StateName && d.Name != ProcessingState.StateName,
            Patience,
            $"job {id} to run and fail");
        return (data!.Name, data.Reason);
    }

    /// <summary>A job parameter as Hangfire stores it (JSON: a count is its digits).</summary>
    private static string? Parameter(WorkerHost host, string id, string name) => Connection(host).GetJobParameter(id, name);

    private static Hangfire.Storage.IStorageConnection Connection(WorkerHost host) => host.Services.GetRequiredService<JobStorage>().GetConnection();
}

/// <summary>Jobs with the retry rule of the pipeline's steps, failing as a step fails during an outage, or otherwise.</summary>
public static class FailingJobs
{
    [AutomaticRetry(Attempts = 8)]
    public static async Task ReachAClosedDatabaseAsync()
    {
        // A genuine connection failure from Npgsql, not a constructed one: a port nobody listens on.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=nobody;Password=none;Timeout=5;Pooling=false");
        await connection.OpenAsync();
    }

    [AutomaticRetry(Attempts = 8)]
    public static void FailOnItsOwn() => throw new InvalidOperationException("a fault of the step itself");
}
