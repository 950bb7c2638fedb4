using System.Diagnostics;
using System.Globalization;
using BatchOrchestrator.Core.Uploads;
using BatchOrchestrator.Sandbox;
using BatchOrchestrator.TestSupport;

namespace BatchOrchestrator.Bench;

/// <summary>
/// The upload step (BatchUploader: re-check, intent and outcome recorded in PostgreSQL,
/// paced HTTP through the retry layer) against the Sandbox. With the Sandbox's upload limit at 50 per
/// 5 s: sustained uploads per second as a fraction of the limit, and the share answered 429. Without a
/// limit (and pacing off, as one would configure it): uploads per second against a raw loop of the same
/// multipart POSTs at the same concurrency.
/// </summary>
internal sealed partial class UploadBenchmark : IBenchmark
{
    private const int Concurrency = 8;
    private const int Rounds = 7;
    private const int WarmUpRounds = 3;
    private const int MaxWarmUpPasses = 8;
    private const int QuietWarmUp = 10; // methods compiled in one warm-up pass below which the per-batch code counts as compiled

    public string Name => "upload";

    public string Description => "uploads/s under the Sandbox's 50 per 5 s limit (vs the limit, and 429 share), and without a limit vs a raw HTTP loop at the same concurrency";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var profile = Profile.From(context);
        if (profile.Side is not null)
        {
            // For a profiler: one side alone, no ratio (bench/README.md, "A profile of uploads without a limit").
            await UnlimitedAsync(context, context.Scaled(3_000), profile, cancellationToken);
            return [];
        }

        var results = new List<BenchResult>();
        results.AddRange(await LimitedAsync(context, context.Scaled(600), cancellationToken));
        results.Add((await UnlimitedAsync(context, context.Scaled(3_000), profile, cancellationToken))!);
        return results;
    }

    private static async Task<IEnumerable<BenchResult>> LimitedAsync(BenchContext context, int files, CancellationToken cancellationToken)
    {
        var sandbox = new SandboxOptions(); // RateLimits: uploads 50 per 5 s, the published limit
        var limit = sandbox.RateLimits["uploads"];
        await using var harness = await PipelineHarness.CreateAsync(context.Postgres, Settings(pace: true), sandbox);
        harness.WriteFiles(files);
        var batches = await harness.PlanAsync(cancellationToken);

        var seconds = await UploadAllAsync(harness, batches, postgres: 0, cancellationToken);

        var counters = await harness.Admin.CountersAsync();
        var refused = counters.ResponsesByStatus.GetValueOrDefault("429");
        var perSecond = counters.UploadsTotal / seconds;
        var limitPerSecond = limit.PermitLimit / limit.Window.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   {counters.UploadsTotal} uploads in {seconds:F1} s under {limit.PermitLimit} per {limit.Window.TotalSeconds} s; {refused} answered 429"));
        Check(counters, files);
        return
        [
            new BenchResult("sustained uploads/s under 50 per 5 s", perSecond, limitPerSecond, "req/s", 0.9, LowerIsBetter: false, $"{files} files, concurrency {Concurrency}"),
            new BenchResult("share of upload requests answered 429", 100.0 * refused / (counters.UploadsTotal + refused), 1, "%", 1, LowerIsBetter: true, "target: at most 1 %"),
        ];
    }

    private static async Task<BenchResult?> UnlimitedAsync(BenchContext context, int files, Profile profile, CancellationToken cancellationToken)
    {
        await using var harness = await PipelineHarness.CreateAsync(context.Postgres, Settings(pace: false), Unlimited());
        var postgres = await ProcessCpu.PostmasterOfAsync(harness.Database.DataSource, cancellationToken);

        // Alternating rounds on fresh files (this machine is shared; the median of each side is reported). The
        // first rounds only warm up: tiered compilation goes on promoting hot methods of all three sides (and of
        // the Sandbox) over the first few thousand requests, and each side ran up to a third faster by round 3.
        // Code that runs once per batch (the lease, the step's bookkeeping, the batch's own statements) reaches its
        // last tier only after some sixty batches; at three batches a round it was still being compiled in the
        // measured rounds, so many small batches run first, as a service that has worked a while has run them
        // (WarmUpPerBatchCodeAsync says why in several passes).
        await WarmUpPerBatchCodeAsync(context, cancellationToken);
        var ours = new List<double>();
        var raw = new List<double>();
        var client = new List<double>();
        for (var round = -WarmUpRounds; round < Rounds; round++)
        {
            var counted = round >= 0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   {(counted ? "round" : "warm-up")} {round} (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}):"));
            var prefix = $"r{round + WarmUpRounds}-";
            harness.WriteFiles(files, prefix);
            var paths = Directory.GetFiles(harness.SourcePath, prefix + "*");
            var batches = await harness.PlanAsync(cancellationToken);
            var label = counted ? round.ToString(CultureInfo.InvariantCulture) : "w";
            // The order rotates each round, so a machine getting busier within a round favours no side.
            (string Side, Func<Task<double>> Measure)[] measurements =
            [
                ("raw", async () => Keep(raw, await RawLoopAsync(harness, paths, $"raw{label}", postgres, cancellationToken))),
                ("ours", async () => Keep(ours, await UploadAllAsync(harness, batches, postgres, cancellationToken, $"ours{label}"))),
                ("client", async () => Keep(client, await ClientLoopAsync(harness, paths, $"client{label}", postgres, cancellationToken))),
            ];
            for (var i = 0; i < measurements.Length; i++)
            {
                var (side, measure) = measurements[(round + WarmUpRounds + i) % measurements.Length];
                if (!profile.Runs(side))
                {
                    continue;
                }

                await SettleAsync(harness, cancellationToken);
                profile.Record(counted, true);
                await measure();
                profile.Record(counted, false);
            }

            double Keep(List<double> side, double seconds)
            {
                if (counted)
                {
                    side.Add(seconds);
                }

                return seconds;
            }
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"   {files} uploads per round: ours {Seconds(ours)} s, raw loop {Seconds(raw)} s; our HTTP client alone (no database, no checks) {Seconds(client)} s"));
        if (profile.Side is not null)
        {
            return null; // one side alone: nothing to compare, and the other sides' files were never uploaded
        }

        // Within one round the sides ran a second apart: their ratio shows how much of the medians' spread is the machine's.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   raw loop / ours in each round: {string.Join(" ", raw.Zip(ours, (r, o) => (r / o).ToString("F2", CultureInfo.InvariantCulture)))}"));
        Check(await harness.Admin.CountersAsync(), (WarmUpRounds + Rounds) * files);
        return new BenchResult("uploads/s without a limit", files / Median(ours), files / Median(raw), "req/s", 0.8, LowerIsBetter: false, $"{files} files, concurrency {Concurrency} both, median of {Rounds}");
    }

    /// <summary>
    /// Runs the upload step over many batches of a few files each, so that the code run once per batch is
    /// compiled at its last tier before any round is measured. One pass is not enough: the runtime starts
    /// counting a method's calls only once no new method has been compiled for a while, which never happens
    /// while the first pass compiles everything it meets, so its 200 batches counted for nothing. Measured on
    /// 2026-12-03: after one pass, every measured round of ours still compiled 27–173 methods (per-batch state
    /// machines, the lease, the directory look-up), 40–260 ms of CPU taken from the round; the second pass
    /// compiled 1,133, the third 66, later ones a handful. So passes run, each after the runtime has settled,
    /// until one compiles next to nothing.
    /// </summary>
    private static async Task WarmUpPerBatchCodeAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var settings = Settings(pace: false);
        settings["Pipeline:MaxFilesPerBatch"] = "8";
        await using var harness = await PipelineHarness.CreateAsync(context.Postgres, settings, Unlimited());
        for (var pass = 0; pass < MaxWarmUpPasses; pass++)
        {
            harness.WriteFiles(context.Scaled(1_600), $"small{pass}-");
            var batches = await harness.PlanAsync(cancellationToken);
            await SettleAsync(harness, cancellationToken);
            var jit = JitMeter.Start();
            var clock = Stopwatch.StartNew();
            await UploadAllAsync(harness, batches, postgres: 0, cancellationToken);
            var compiled = System.Runtime.JitInfo.GetCompiledMethodCount() - jit.Methods;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   warm-up {pass} of the per-batch code: {batches.Count} batches of up to 8 files in {clock.Elapsed.TotalSeconds:F1} s; {jit.Stop()}"));
            if (compiled < QuietWarmUp)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Before each measured side, what the work before it left behind is done, so that no side pays for
    /// another's: PostgreSQL's clean-up after the last upload step's writes (an autovacuum during the raw loop
    /// once took 420 ms of PostgreSQL's CPU beside it), the garbage of the round's set-up, and the compilation
    /// the set-up set off. Tiered compilation promotes methods on a background thread once they have been
    /// called often enough, so the set-up's own code (the scan, the plan) was compiled during whichever side
    /// ran next: up to 440 ms of one side's round, at random.
    /// </summary>
    private static async Task SettleAsync(PipelineHarness harness, CancellationToken cancellationToken)
    {
        await EndToEndBenchmark.SettleAsync(harness.Database.DataSource, cancellationToken);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var quiet = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();
        var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        while (quiet.Elapsed < TimeSpan.FromMilliseconds(300) && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50, cancellationToken);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now != compiled)
            {
                (compiled, quiet) = (now, Stopwatch.StartNew());
            }
        }
    }

    private static string Seconds(List<double> values) => string.Join(" / ", values.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)));

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task<double> UploadAllAsync(PipelineHarness harness, IReadOnlyList<long> batches, int postgres, CancellationToken cancellationToken, string? label = null)
    {
        var meter = SideMeter.Start(postgres);
        var clock = Stopwatch.StartNew();
        await RunAsJobsAsync(harness, batches, cancellationToken);

        if (label is not null)
        {
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"     {label,-9} {clock.Elapsed.TotalSeconds,6:F2} s  (the whole step; no per-request times); {meter.Stop()}"));
        }

        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Runs the batches' upload steps as the service's jobs run them: the first as planning handed it out,
    /// each later one once a batch hands it the source's upload slot (<see cref="UploadSlots"/>), beside the
    /// step that handed it on; without Hangfire's own delay between a job's enqueueing and its start. Ends
    /// when every batch's step has ended; a batch never handed on is a broken chain, and fails the benchmark.
    /// </summary>
    private static async Task RunAsJobsAsync(PipelineHarness harness, IReadOnlyList<long> batches, CancellationToken cancellationToken)
    {
        var uploader = harness.Get<BatchUploader>();
        var handedOut = System.Threading.Channels.Channel.CreateUnbounded<long>();
        void OnHandOff(string step, string argument)
        {
            if (step == "upload")
            {
                handedOut.Writer.TryWrite(long.Parse(argument, CultureInfo.InvariantCulture));
            }
        }

        using var broken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        broken.CancelAfter(TimeSpan.FromMinutes(5));
        var waiting = batches.ToHashSet();
        harness.Scheduler.Recorded += OnHandOff;
        try
        {
            var steps = new List<Task>();
            handedOut.Writer.TryWrite(batches[0]);
            while (waiting.Count > 0)
            {
                var batchId = await handedOut.Reader.ReadAsync(broken.Token);
                if (waiting.Remove(batchId))
                {
                    steps.Add(uploader.UploadAsync(batchId, cancellationToken));
                }
            }

            await Task.WhenAll(steps);
        }
        catch (OperationCanceledException) when (broken.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"Within 5 minutes, {waiting.Count} of {batches.Count} planned batches were not handed the upload slot: the chain of hand-ons broke");
        }
        finally
        {
            harness.Scheduler.Recorded -= OnHandOff;
        }
    }

    /// <summary>Every file of ours (unique ids "fv-…") uploaded exactly once.</summary>
    private static void Check(SandboxCounters counters, int files)
    {
        var ours = counters.UploadsByUniqueId.Where(u => u.Key.StartsWith("fv-", StringComparison.Ordinal)).ToList();
        if (ours.Count != files || ours.Any(u => u.Value != 1))
        {
            throw new InvalidOperationException($"Expected {files} files uploaded exactly once; the Sandbox counted {ours.Count} unique ids");
        }
    }

    private static SandboxOptions Unlimited()
    {
        var sandbox = new SandboxOptions();
        sandbox.RateLimits["uploads"] = new SandboxRateLimit { PermitLimit = 0 };
        return sandbox;
    }

    private static Dictionary<string, string?> Settings(bool pace) => new()
    {
        ["Pipeline:UploadConcurrency"] = Concurrency.ToString(CultureInfo.InvariantCulture),
        ["LlamaCloud:UploadRateLimit:PermitLimit"] = pace ? "50" : "0",
        ["Serilog:MinimumLevel:Default"] = "Information",
    };
}
