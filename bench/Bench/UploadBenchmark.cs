using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Uploads;
using BatchOrchestrator.Sandbox;
using BatchOrchestrator.TestSupport;

namespace BatchOrchestrator.Bench;

/// <summary>
/// Issue 4 point 9: the upload step (BatchUploader: re-check, intent and outcome recorded in PostgreSQL,
/// paced HTTP through the retry layer) against the Sandbox. With the Sandbox's upload limit at 50 per
/// 5 s: sustained uploads per second as a fraction of the limit, and the share answered 429. Without a
/// limit (and pacing off, as one would configure it): uploads per second against a raw loop of the same
/// multipart POSTs at the same concurrency.
/// </summary>
internal sealed class UploadBenchmark : IBenchmark
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

    /// <summary>The same multipart POSTs as the client sends, straight from an HttpClient, at the same concurrency.</summary>
    private static async Task<double> RawLoopAsync(PipelineHarness harness, string[] paths, string label, int postgres, CancellationToken cancellationToken)
    {
        var directory = await harness.Get<IBatchApis>().For(ProjectScope.Default).CreateDirectoryAsync($"raw-{label}-{Guid.NewGuid():N}", cancellationToken);
        using var http = new HttpClient { BaseAddress = harness.Sandbox.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "llx-harness-key");
        return await TimedAsync(label, paths, postgres, async (item, ct) =>
            {
                await using var content = File.OpenRead(item.path);
                using var form = new MultipartFormDataContent();
                var file = new StreamContent(content);
                file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                form.Add(file, "upload_file", Path.GetFileName(item.path));
                form.Add(new StringContent($"{label}-{item.i}"), "unique_id");
                form.Add(new StringContent(Path.GetFileName(item.path)), "display_name");
                form.Add(new StringContent($$"""{"source":"docs","path":"{{Path.GetFileName(item.path)}}"}"""), "metadata"); // as ours sends it
                using var response = await http.PostAsync(new Uri($"api/v1/beta/directories/{directory.Id}/files/upload", UriKind.Relative), form, ct);
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync(ct);
            }, cancellationToken);
    }

    /// <summary>A diagnostic: the same uploads through our typed client and its handlers, without the use case around them.</summary>
    private static async Task<double> ClientLoopAsync(PipelineHarness harness, string[] paths, string label, int postgres, CancellationToken cancellationToken)
    {
        var api = harness.Get<IBatchApis>().For(ProjectScope.Default);
        var directory = await api.CreateDirectoryAsync($"{label}-{Guid.NewGuid():N}", cancellationToken);
        return await TimedAsync(label, paths, postgres, async (item, ct) =>
            {
                await using var content = File.OpenRead(item.path);
                var name = Path.GetFileName(item.path);
                await api.UploadFileAsync(directory.Id, new FileUpload(content, name, $"{label}-{item.i}", name, new Dictionary<string, string> { ["source"] = "docs", ["path"] = name }), ct);
            }, cancellationToken);
    }

    /// <summary>
    /// Seconds taken by <paramref name="upload"/> over every path, <see cref="Concurrency"/> at a time; prints
    /// each request's time (median, 99th percentile, longest), the longest gap in which no request ended, and
    /// the garbage collections meanwhile, to show where a slow round lost its time.
    /// </summary>
    private static async Task<double> TimedAsync(string label, string[] paths, int postgres, Func<(string path, int i), CancellationToken, ValueTask> upload, CancellationToken cancellationToken)
    {
        var requests = new double[paths.Length];
        var ends = new double[paths.Length];
        var meter = SideMeter.Start(postgres);
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            paths.Select((path, i) => (path, i)),
            new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
            async (item, ct) =>
            {
                var start = clock.Elapsed.TotalMilliseconds;
                await upload(item, ct);
                ends[item.i] = clock.Elapsed.TotalMilliseconds;
                requests[item.i] = ends[item.i] - start;
            });
        var seconds = clock.Elapsed.TotalSeconds;
        Array.Sort(requests);
        Array.Sort(ends);
        var gap = ends.Zip(ends.Skip(1), (a, b) => b - a).DefaultIfEmpty(0).Max();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"     {label,-9} {seconds,6:F2} s  per request: median {requests[requests.Length / 2],6:F1} ms, p99 {requests[(int)(requests.Length * 0.99)],7:F1} ms, longest {requests[^1],7:F1} ms; longest gap with no request ending {gap,7:F1} ms; {meter.Stop()}"));
        return seconds;
    }

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

    /// <summary>
    /// <c>--side raw|ours|client</c> runs one side of the rounds without a limit alone, and <c>--perf-control
    /// &lt;fifo&gt;</c> writes <c>enable</c> and <c>disable</c> to a <c>perf record --control fifo:…</c> around each
    /// measured round, so that a profile holds that side's measured rounds and nothing else (no set-up, no
    /// warm-up, no settling).
    /// </summary>
    private sealed record Profile(string? Side, string? PerfControl)
    {
        public static Profile From(BenchContext context)
        {
            var side = context.Option("side");
            if (side is not (null or "raw" or "ours" or "client"))
            {
                throw new ArgumentException($"--side takes raw, ours or client, not '{side}'");
            }

            return new Profile(side, context.Option("perf-control"));
        }

        public bool Runs(string side) => Side is null || Side == side;

        public void Record(bool counted, bool enable)
        {
            if (counted && PerfControl is not null)
            {
                File.AppendAllText(PerfControl, enable ? "enable\n" : "disable\n");
            }
        }
    }

    /// <summary>
    /// What one side's round cost besides its wall clock: garbage collections, allocation, CPU (this process holds
    /// both ends of the HTTP, since the Sandbox runs in it; PostgreSQL is 0 where not measured) and compilation.
    /// </summary>
    private readonly record struct SideMeter(int Gen0, int Gen1, TimeSpan Paused, long Allocated, CpuMeter Cpu, JitMeter Jit)
    {
        public static SideMeter Start(int postgres) => new(
            GC.CollectionCount(0), GC.CollectionCount(1), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes(), CpuMeter.Start(postgres), JitMeter.Start());

        public string Stop()
        {
            var (process, postgres) = Cpu.Stop();
            return string.Create(
                CultureInfo.InvariantCulture,
                $"GCs gen0 {GC.CollectionCount(0) - Gen0}, gen1 {GC.CollectionCount(1) - Gen1}, paused {(GC.GetTotalPauseDuration() - Paused).TotalMilliseconds:F0} ms, {(GC.GetTotalAllocatedBytes() - Allocated) / 1048576.0:F0} MB allocated; CPU: this process {process:F0} ms, PostgreSQL {postgres:F0} ms; {Jit.Stop()}");
        }
    }
}
