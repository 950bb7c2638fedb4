using BatchOrchestrator.Persistence.Jobs;

namespace BatchOrchestrator.Persistence.IntegrationTests;

/// <summary>
/// Hangfire's connections carry a keepalive while long polling is on, so a worker whose LISTEN wait missed its
/// cancellation goes on within seconds (docs/reliability.md, "A worker held by its own LISTEN").
/// </summary>
public sealed class JobStorageKeepaliveFacts
{
    private const string Given = "Host=db;Database=orchestrator;Username=bo;Password=s3cret";

    [Fact]
    public void WithLongPolling_HangfiresConnectionsSendAKeepalive_AndKeepEverythingElse()
    {
        var hangfire = new NpgsqlConnectionStringBuilder(JobStorageFactory.WithListenKeepalive(Given, new JobStorageOptions { EnableLongPolling = true }));

        Assert.Equal(JobStorageFactory.ListenKeepaliveSeconds, hangfire.KeepAlive);
        Assert.Equal(("db", "orchestrator", "bo", "s3cret"), (hangfire.Host, hangfire.Database, hangfire.Username, hangfire.Password));
    }

    [Fact]
    public void AKeepaliveTheConnectionStringSets_IsKept()
    {
        var hangfire = new NpgsqlConnectionStringBuilder(JobStorageFactory.WithListenKeepalive(Given + ";Keepalive=30", new JobStorageOptions { EnableLongPolling = true }));

        Assert.Equal(30, hangfire.KeepAlive);
    }

    [Fact]
    public void WithoutLongPolling_NoWaitListens_SoTheConnectionStringIsLeftAsGiven()
    {
        Assert.Equal(Given, JobStorageFactory.WithListenKeepalive(Given, new JobStorageOptions { EnableLongPolling = false }));
    }
}
