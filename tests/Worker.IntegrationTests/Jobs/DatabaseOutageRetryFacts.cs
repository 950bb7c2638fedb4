namespace BatchOrchestrator.Worker.IntegrationTests.Jobs;

/// <summary>
/// A step that failed because the database was out comes back within seconds of it, not after its retry
/// rule's growing delays: the submit step's fifth retry waits five minutes, so a batch whose submit failed a
/// few times around an outage sat in Creating long after the database was back.
/// </summary>
public sealed class DatabaseOutageRetryFacts
{
    public static TheoryData<Exception> Outages() =>
    [
        new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused)),
        new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01"), // pg_terminate_backend, or a server shutting down
        new PostgresException("the database system is starting up", "FATAL", "FATAL", "57P03"),
        new InvalidOperationException("reading the batch failed", new NpgsqlException("Exception while reading from stream", new IOException("reset"))),
    ];

    [Theory]
    [MemberData(nameof(Outages))]
    public void AnUnreachableDatabase_IsRetriedSoon_WithoutUsingUpAnAttempt(Exception failure)
    {
        Assert.Equal(DatabaseOutageRetryFilter.Delay, DatabaseOutageRetryFilter.RetryIn(failure, outageRetriesSoFar: 0));
        Assert.True(DatabaseOutageRetryFilter.Delay <= TimeSpan.FromSeconds(30), "the service must resume within about a minute of the database");
    }

    [Fact]
    public void OtherFailures_AndAnOutageLongerThanTheBound_AreLeftToTheJobsOwnRetryRule()
    {
        Assert.Null(DatabaseOutageRetryFilter.RetryIn(new InvalidOperationException("a bug"), 0));
        Assert.Null(DatabaseOutageRetryFilter.RetryIn(new PostgresException("syntax error", "ERROR", "ERROR", "42601"), 0));
        var outage = new NpgsqlException("down", new SocketException((int)SocketError.ConnectionRefused));
        Assert.Null(DatabaseOutageRetryFilter.RetryIn(outage, DatabaseOutageRetryFilter.MaxOutageRetries));
    }
}
