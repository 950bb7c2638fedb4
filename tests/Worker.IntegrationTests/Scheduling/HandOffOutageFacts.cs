using BatchOrchestrator.Worker.IntegrationTests.Jobs;
using BatchOrchestrator.Worker.Scheduling;
using Hangfire.Common;
using Hangfire.States;

namespace BatchOrchestrator.Worker.IntegrationTests.Scheduling;

/// <summary>
/// A batch's next step asked for while the database is unreachable: the step before has saved its outcome, and the
/// job that carries the batch on is made once the database answers, not left to the stalled-step sweep's 10 minutes.
/// The host's own server goes away.
/// </summary>
public sealed class HandOffOutageFacts(PostgresServerFixture server) : OwnServerFacts(server)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AHandOffWhileTheDatabaseIsDown_IsMadeOnceItAnswers()
    {
        const long BatchId = 987_654; // no such batch: its submit job, once made, finds nothing to do
        var logs = new CapturingSink();
        await using var host = await WorkerHost.StartAsync(Env.Root, Env.Settings(Postgres.ConnectionString), logs);
        var scheduler = host.Services.GetRequiredService<IPipelineScheduler>();

        await Postgres.StopAsync(Ct);
        NpgsqlConnection.ClearAllPools();
        scheduler.EnqueueSubmit(BatchId); // as the upload step's last act: it must not throw the outage at its job
        Assert.Contains(logs.Lines, l => l.Contains($"Could not hand batch {BatchId} to its submit step on: the database is unreachable", StringComparison.Ordinal));
        Assert.Equal(1, host.Services.GetRequiredService<DeferredHandOffs>().Pending);
        await Postgres.StartAsync(Ct);

        await using var database = NpgsqlDataSource.Create(Postgres.ConnectionString);
        var jobs = await Eventually.WaitAsync(
            () => SubmitJobsAsync(database, BatchId),
            n => n > 0,
            Patience,
            $"the submit job of batch {BatchId} once the database is back");
        Assert.Equal(1L, jobs);
        // Let go once made (the row above may be seen first), and made once: no hand-off is left to try again.
        await Eventually.WaitAsync(() => Task.FromResult(host.Services.GetRequiredService<DeferredHandOffs>().Pending), n => n == 0, Patience, "the hand-off to be let go");
        Assert.Equal(1L, await SubmitJobsAsync(database, BatchId));
    }

    [Fact]
    public async Task AFailureThatIsNotAnOutage_OrNothingRunningToKeepIt_IsThrownAsBefore()
    {
        var outage = await ClosedDatabaseFailureAsync();
        var client = new FailingClient();
        var (deferred, scheduler) = Unhosted(client);

        // Not started (a command-line verb): nothing would make it later, so the caller learns of the outage.
        client.Failure = outage;
        Assert.Throws<BackgroundJobClientException>(() => scheduler.EnqueueRecord(1));

        await deferred.StartAsync(Ct);
        try
        {
            // Running, but the failure is not the database's: kept, it would be retried for ever.
            client.Failure = new BackgroundJobClientException("creation failed", new InvalidOperationException("a bug"));
            Assert.Throws<BackgroundJobClientException>(() => scheduler.EnqueueRecord(2));
            Assert.Equal(0, deferred.Pending);

            // The outage, while it runs: kept and made, in order, once creation works again. What comes meanwhile is kept
            // behind it without a try of its own (each would cost a connect timeout where the host does not answer).
            client.Failure = outage;
            scheduler.EnqueueRecord(3);
            scheduler.EnqueueUpload("e2e", 4);
            Assert.Equal(["RecordBatchResultsJob 1", "RecordBatchResultsJob 2", "RecordBatchResultsJob 3"], client.Tried.Take(3)); // then 3's retries
            Assert.DoesNotContain("UploadBatchJob 4", client.Tried);
            Assert.Equal(2, deferred.Pending);
            client.Failure = null;
            await Eventually.WaitAsync(() => Task.FromResult(deferred.Pending), n => n == 0, Patience, "the kept hand-offs to be made");
            Assert.Equal(["RecordBatchResultsJob 3", "UploadBatchJob 4"], client.Made);
            Assert.True(client.Tried.Count(t => t == "RecordBatchResultsJob 3") >= 2, "the kept hand-off was tried again");
        }
        finally
        {
            await deferred.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task AStopWithHandOffsKept_SaysHowMany_AndWhatComesAfterItFailsAsBefore()
    {
        var outage = await ClosedDatabaseFailureAsync();
        using var logs = new CapturingLoggerProvider();
        var (deferred, scheduler) = Unhosted(new FailingClient { Failure = outage }, logs);
        await deferred.StartAsync(Ct);
        scheduler.EnqueueSubmit(5);
        scheduler.EnqueueSubmit(6);

        await deferred.StopAsync(CancellationToken.None);

        Assert.Contains(logs.Lines, l => l.Contains("The service stops with 2 hand-offs not made, the first batch 5 to its submit step", StringComparison.Ordinal));
        Assert.Throws<BackgroundJobClientException>(() => scheduler.EnqueueSubmit(7)); // nothing would make it now
    }

    [Fact]
    public async Task AStopBeforeTheLoopBegan_StillSaysWhatItLeaves()
    {
        // The loop starts on the thread pool; a stop that comes first cancels it unrun, which a cancelled start forces here.
        using var logs = new CapturingLoggerProvider();
        var (deferred, scheduler) = Unhosted(new FailingClient { Failure = await ClosedDatabaseFailureAsync() }, logs);
        await deferred.StartAsync(new CancellationToken(canceled: true));
        scheduler.EnqueueRecord(8);

        await deferred.StopAsync(CancellationToken.None);

        Assert.Contains(logs.Lines, l => l.Contains("The service stops with 1 hand-offs not made, the first batch 8 to its record step", StringComparison.Ordinal));
    }

    // The server just back may not answer yet: a value to wait past.
    private static Task<long> SubmitJobsAsync(NpgsqlDataSource database, long batchId) => TryScalar(
        database,
        $"select count(*) from hangfire.job where invocationdata::jsonb->>'Type' like '%SubmitBatchJob%' and invocationdata::jsonb->>'Arguments' like '%{batchId}%'",
        _ => 0L);

    /// <summary>What Hangfire's client throws when its storage cannot connect: a genuine Npgsql failure, wrapped as the client wraps it.</summary>
    private static async Task<Exception> ClosedDatabaseFailureAsync()
    {
        var failure = await Assert.ThrowsAnyAsync<NpgsqlException>(FailingJobs.ReachAClosedDatabaseAsync);
        return new BackgroundJobClientException("Background job creation failed. See inner exception for details.", failure);
    }

    /// <summary>The kept hand-offs and a scheduler over <paramref name="client"/>, not started, as a test builds them without a host; their log lines in <paramref name="logs"/>.</summary>
    private static (DeferredHandOffs Deferred, HangfirePipelineScheduler Scheduler) Unhosted(FailingClient client, CapturingLoggerProvider? logs = null)
    {
        var deferred = new DeferredHandOffs(
            TimeProvider.System,
            logs is null ? NullLogger<DeferredHandOffs>.Instance : new Microsoft.Extensions.Logging.Logger<DeferredHandOffs>(new Microsoft.Extensions.Logging.LoggerFactory([logs])));
        return (deferred, new HangfirePipelineScheduler(client, new StaticSources(), deferred));
    }

    private sealed class FailingClient : IBackgroundJobClient
    {
        public Exception? Failure { get; set; }

        private readonly List<string> tried = [];
        private readonly List<string> made = [];

        /// <summary>Every creation asked for, in order, as "job type, batch id" (a copy: the kept hand-offs' loop adds to it).</summary>
        public string[] Tried
        {
            get
            {
                lock (tried)
                {
                    return [.. tried];
                }
            }
        }

        public string[] Made
        {
            get
            {
                lock (tried)
                {
                    return [.. made];
                }
            }
        }

        public string Create(Job job, IState state)
        {
            var what = $"{job.Type.Name} {job.Args[0]}";
            lock (tried)
            {
                tried.Add(what);
                if (Failure is { } failure)
                {
                    throw failure;
                }

                made.Add(what);
                return made.Count.ToString(CultureInfo.InvariantCulture);
            }
        }

        public bool ChangeState(string jobId, IState state, string expectedState) => throw new NotSupportedException();
    }

    private sealed class StaticSources : IOptionsMonitor<Core.Sources.SourcesOptions>
    {
        public Core.Sources.SourcesOptions CurrentValue { get; } = new();

        public Core.Sources.SourcesOptions Get(string? name) => CurrentValue;

        public IDisposable? OnChange(Action<Core.Sources.SourcesOptions, string?> listener) => null;
    }
}
