using System.Diagnostics;
using System.Globalization;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Uploads;
using BatchOrchestrator.Sandbox;
using BatchOrchestrator.TestSupport;

namespace BatchOrchestrator.Bench;

/// <summary>
/// Priority lanes: a small nightly run (200 files, <c>Priority</c> 8) started while a large backfill of
/// another source in the same project (20,000 files, <c>Priority</c> 1) is uploading, under the Sandbox's
/// 50-per-5-s upload limit. The nightly run's time (its run started until its last batch is uploaded and
/// handed to submission: the part that shares the limit) against its time alone; and the uploads of both
/// together over that window against the limit, which a work-conserving share keeps full.
/// </summary>
internal sealed class LanesBenchmark : IBenchmark
{
    private const string Nightly = "nightly";

    public string Name => "lanes";

    public string Description => "a 200-file priority-8 run during a 20,000-file backfill under 50 uploads per 5 s: its time vs alone, and the limit used";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var (nightlyFiles, backfillFiles) = (context.Scaled(200), context.Scaled(20_000));
        var sandbox = new SandboxOptions(); // RateLimits: uploads 50 per 5 s, the published limit
        var limit = sandbox.RateLimits["uploads"];
        var limitPerSecond = limit.PermitLimit / limit.Window.TotalSeconds;
        await using var h = await PipelineHarness.CreateAsync(
            context.Postgres,
            new Dictionary<string, string?>
            {
                ["Sources:0:Priority"] = "1",
                ["Sources:1:Name"] = Nightly,
                ["Sources:1:Path"] = Nightly,
                ["Sources:1:SettleWindow"] = "00:00:00",
                ["Sources:1:Priority"] = "8",
                ["LlamaCloud:UploadRateLimit:PermitLimit"] = limit.PermitLimit.ToString(CultureInfo.InvariantCulture),
                ["Serilog:MinimumLevel:Default"] = "Warning",
            },
            sandbox);
        Directory.CreateDirectory(Path.Combine(h.Root, Nightly));

        WriteNightly(h, "warm", 10);
        await RunNightlyAsync(h, cancellationToken); // JIT, pools and the pace warm
        await Task.Delay(limit.Window, cancellationToken); // the server's counting window clear again

        WriteNightly(h, "alone", nightlyFiles);
        var alone = await RunNightlyAsync(h, cancellationToken);
        await Task.Delay(limit.Window, cancellationToken);

        h.WriteFiles(backfillFiles, "backfill");
        var backfillBatches = await h.PlanAsync(cancellationToken);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var backfill = BackfillAsync(h, backfillBatches, stop.Token);
        // Well into its stride: the nightly run must not find the limit idle.
        var warmUploads = (await h.Admin.CountersAsync()).UploadsTotal;
        while ((await h.Admin.CountersAsync()).UploadsTotal < warmUploads + (limit.PermitLimit * 3))
        {
            await Task.Delay(200, cancellationToken);
        }

        WriteNightly(h, "during", nightlyFiles);
        var startUploads = (await h.Admin.CountersAsync()).UploadsTotal;
        var together = await RunNightlyAsync(h, cancellationToken);
        var counters = await h.Admin.CountersAsync();
        var windowRate = (counters.UploadsTotal - startUploads) / together;
        await stop.CancelAsync();
        var finishedBackfill = await backfill;

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"   nightly {nightlyFiles} files: alone {alone:F1} s, during the backfill {together:F1} s; both together {windowRate:F2} uploads/s over that window (limit {limitPerSecond:F0}/s); backfill batches fully uploaded before it was stopped: {finishedBackfill} of {backfillBatches.Count}; {counters.ResponsesByStatus.GetValueOrDefault("429")} answered 429"));
        return
        [
            new BenchResult("nightly run during a backfill vs alone", together, alone, "s", 1.5, LowerIsBetter: true, $"{nightlyFiles} files at priority 8 beside {backfillFiles:N0} at 1"),
            new BenchResult("uploads/s of both over that window", windowRate, limitPerSecond, "req/s", 0.9, LowerIsBetter: false, "the limit: 50 per 5 s"),
        ];
    }

    private static void WriteNightly(PipelineHarness h, string prefix, int count)
    {
        for (var i = 0; i < count; i++)
        {
            File.WriteAllText(Path.Combine(h.Root, Nightly, string.Create(CultureInfo.InvariantCulture, $"{prefix}-{i:D5}.txt")), $"nightly {prefix} {i}");
        }
    }

    /// <summary>The nightly source's run (scan, plan) and the upload of every batch it planned; seconds.</summary>
    private static async Task<double> RunNightlyAsync(PipelineHarness h, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        foreach (var batchId in await h.PlanAsync(cancellationToken, Nightly))
        {
            await h.Get<BatchUploader>().UploadAsync(batchId, cancellationToken);
        }

        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>The backfill's batches uploaded one after another, as their chained upload jobs would; returns how many finished.</summary>
    private static async Task<int> BackfillAsync(PipelineHarness h, IReadOnlyList<long> batches, CancellationToken cancellationToken)
    {
        var finished = 0;
        try
        {
            foreach (var batchId in batches)
            {
                await h.Get<BatchUploader>().UploadAsync(batchId, cancellationToken);
                finished++;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopped once the nightly run was measured: the rest of a 20,000-file backfill would take half an hour
        }

        return finished;
    }
}
