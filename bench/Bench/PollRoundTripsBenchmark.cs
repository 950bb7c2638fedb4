using System.Diagnostics;
using System.Globalization;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Ticks;
using BatchOrchestrator.Sandbox;
using BatchOrchestrator.TestSupport;
using Npgsql;

namespace BatchOrchestrator.Bench;

/// <summary>
/// A poll cycle's database round trips with 1 and with 1,000 active batches (DESIGN.md decision 4:
/// the cost per cycle must not grow with the number of batches). Round trips are counted with an
/// ActivityListener on Npgsql's ActivitySource, which starts one activity per command or batch
/// sent. The batches are real Sandbox batches over loopback HTTP, kept PENDING.
/// </summary>
internal sealed class PollRoundTripsBenchmark : IBenchmark
{
    public string Name => "poll-round-trips";

    public string Description => "database round trips of one poll cycle, 1,000 active batches vs 1 (target: the same count)";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var many = context.Scaled(1_000);
        var one = await MeasureAsync(context, 1, cancellationToken);
        var lots = await MeasureAsync(context, many, cancellationToken);
        var note = string.Create(CultureInfo.InvariantCulture, $"{many:N0} vs 1 active batches; {lots.Polled:N0} and {one.Polled} polled; cycle {lots.Seconds:F2} s vs {one.Seconds:F3} s");
        return [new BenchResult("poll cycle round trips", lots.RoundTrips, one.RoundTrips, "trips", 1.0, LowerIsBetter: true, note)];
    }

    private static async Task<(int RoundTrips, long Polled, double Seconds)> MeasureAsync(BenchContext context, int batches, CancellationToken cancellationToken)
    {
        await using var harness = await PipelineHarness.CreateAsync(
            context.Postgres,
            new Dictionary<string, string?> { ["Polling:MaxBatchesPerTick"] = "1000", ["Polling:MaxConcurrency"] = "16" },
            new SandboxOptions { StepDelay = TimeSpan.FromHours(1) });
        var api = harness.Get<IBatchApis>().For(ProjectScope.Default);
        var remoteIds = new string[batches];
        await Parallel.ForEachAsync(Enumerable.Range(0, batches), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var directory = await api.CreateDirectoryAsync($"bench-{i}", ct);
            var remote = await api.CreateBatchAsync(new CreateBatchRequest(directory.Id, new RemoteBatchConfig(new RemoteBatchJob("parse_v2", "cfg-PARSE_AGENTIC"))), ct);
            remoteIds[i] = remote.Id;
        });

        await using (var seed = harness.Database.DataSource.CreateCommand("""
            with r as (insert into orchestrator.run (source_name, trigger, state) values ('docs', 'Manual', 'Active') returning id)
            insert into orchestrator.batch (run_id, source_name, state, job_type, configuration_id, directory_name, remote_batch_id, file_count, next_poll_at)
            select r.id, 'docs', 'Pending', 'parse_v2', 'cfg-PARSE_AGENTIC', 'bench-' || b.ord, b.remote_id, 0, now() - interval '1 second'
            from r, unnest($1::text[]) with ordinality as b(remote_id, ord)
            """))
        {
            seed.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = remoteIds });
            await seed.ExecuteNonQueryAsync(cancellationToken);
        }

        // Open the pool's connection first: a connection's start-up is counted too, but it is not the cycle's.
        await using (var warm = harness.Get<NpgsqlDataSource>().CreateCommand("select 1"))
        {
            await warm.ExecuteScalarAsync(cancellationToken);
        }

        var tick = harness.Get<PollTick>();
        var gets = await harness.Admin.CounterAsync("batch_gets_total");
        var roundTrips = 0;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStarted = _ => Interlocked.Increment(ref roundTrips),
        };
        ActivitySource.AddActivityListener(listener);
        var clock = Stopwatch.StartNew();
        await tick.RunAsync(cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        listener.Dispose();

        var polled = await harness.Admin.CounterAsync("batch_gets_total") - gets;
        return (roundTrips, polled, seconds);
    }
}
