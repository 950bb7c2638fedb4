using System.Diagnostics;
using System.Globalization;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Sandbox;
using BatchOrchestrator.TestSupport;

namespace BatchOrchestrator.Bench;

/// <summary>
/// An unchanged re-scan of a 100,000-file tree: the whole run (lease, run row, scan, planning, as the
/// run job executes it) against the raw walk of the same tree, both warm, in rotated order, median of
/// rounds. Beside them, for where the time goes: the scan alone, our walk alone, the stored looks read
/// alone, and <c>find -printf</c>; database round trips and managed allocation per run; and proof that an
/// unchanged tree costs no API call and hands nothing on (no upload, submit or settle run).
/// </summary>
internal sealed class ScanBenchmark : IBenchmark
{
    private const int Rounds = 7;

    public string Name => "scan";

    public string Description => "unchanged re-scan of 100k files (the whole run) vs a raw walk with size and mtime of the same tree";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var files = context.Scaled(100_000);
        await using var harness = await PipelineHarness.CreateAsync(
            context.Postgres, new Dictionary<string, string?> { ["Serilog:MinimumLevel:Default"] = "Warning" }, new SandboxOptions());
        var made = Stopwatch.StartNew();
        ScanTree.Make(harness.SourcePath, files);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   made {files:N0} files in {ScanTree.Folders(files)} folders in {made.Elapsed.TotalSeconds:F1} s"));

        // PostgreSQL's share of each step's CPU: its postmaster and every backend (the parent of our backend).
        var postmaster = await ProcessCpu.PostmasterOfAsync(harness.Database.DataSource, cancellationToken);
        var runner = harness.Get<SourceRunner>();
        var scanner = harness.Get<SourceScanner>();
        var store = harness.Get<ISourceScanStore>();
        var source = harness.Get<Microsoft.Extensions.Options.IOptions<SourcesOptions>>().Value.Find(PipelineHarness.SourceName)!;
        var first = Stopwatch.StartNew();
        await runner.RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, cancellationToken); // every file new: hashed, versioned, planned
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   first run (all new, hashed, planned) {first.Elapsed.TotalSeconds:F1} s"));

        await EndToEndBenchmark.SettleAsync(harness.Database.DataSource, cancellationToken); // after 100,000 inserts

        Step Step(string name, Func<Task<int>> run) => new(name, run, postmaster);
        var steps = new Step[]
        {
            Step("raw walk", () => Task.FromResult(ScanTree.RawWalk(harness.SourcePath))),
            Step("ours: run", async () =>
            {
                await runner.RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, cancellationToken);
                return files;
            }),
            Step("scan alone", async () => (await scanner.ScanAsync(source, cancellationToken)).Seen),
            Step("our walk alone", () => Task.FromResult(ScanTree.OurWalk(harness.SourcePath))),
            Step("stored looks read alone", async () =>
            {
                var n = 0;
                await foreach (var _ in store.ReadLooksAsync(PipelineHarness.SourceName, cancellationToken))
                {
                    n++;
                }

                return n;
            }),
            Step("find -printf (reference)", () => Task.FromResult(ScanTree.Find(harness.SourcePath))),
        };
        foreach (var step in steps)
        {
            await step.WarmAsync(files); // page cache, JIT, query plans, pools
        }

        var calls = (await harness.Admin.CountersAsync()).ResponsesByStatus.Values.Sum();
        harness.Scheduler.Calls.Clear();
        var perRun = await RunCost.MeasureAsync(() => runner.RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, cancellationToken));
        for (var round = 0; round < Rounds; round++)
        {
            // The order rotates each round, so a machine getting busier within a round favours no step.
            for (var i = 0; i < steps.Length; i++)
            {
                await steps[(round + i) % steps.Length].RunAsync(files);
            }
        }

        var apiCalls = (await harness.Admin.CountersAsync()).ResponsesByStatus.Values.Sum() - calls;
        var handOffs = harness.Scheduler.Calls.Count;
        var raw = steps[0].Median;
        foreach (var step in steps)
        {
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"   {step.Name,-26} median {step.Median,7:F1} ms ({step.Median / raw:F2}× raw), cpu {step.CpuMedian,6:F1} ms + PostgreSQL {step.PostgresCpuMedian,5:F1} ms; rounds {string.Join(" ", step.Wall.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))}"));
        }

        // Within one round the two ran seconds apart: their ratio shows how much of the medians' spread is the machine's.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   run / raw walk in each round: {string.Join(" ", steps[1].Wall.Zip(steps[0].Wall, (ours, walk) => (ours / walk).ToString("F2", CultureInfo.InvariantCulture)))}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   per unchanged run: {perRun.RoundTrips} database round trips, {perRun.AllocatedMb:F1} MB allocated; API calls during all rounds {apiCalls}, hand-offs (jobs) {handOffs}"));
        return
        [
            new BenchResult($"unchanged re-scan of {files:N0} files (run)", steps[1].Median, raw, "ms", 1.5, LowerIsBetter: true, $"median of {Rounds}, rotated; raw = FileSystemEnumerable with size and mtime"),
            BenchResult.Absolute("API calls + hand-offs on an unchanged tree", apiCalls + handOffs, "calls", 0, $"over {Rounds + 1} runs"),
        ];
    }

    /// <summary>One timed step; wall time, this process's CPU and PostgreSQL's of each round.</summary>
    private sealed class Step(string name, Func<Task<int>> run, int postmaster)
    {
        public string Name { get; } = name;

        public List<double> Wall { get; } = [];

        public List<double> Cpu { get; } = [];

        public double Median => BenchMath.Median(Wall);

        public List<double> PostgresCpu { get; } = [];

        public double CpuMedian => BenchMath.Median(Cpu);

        public double PostgresCpuMedian => BenchMath.Median(PostgresCpu);

        public async Task WarmAsync(int expected)
        {
            await RunAsync(expected);
            Wall.Clear();
            Cpu.Clear();
            PostgresCpu.Clear();
        }

        public async Task RunAsync(int expected)
        {
            var cpu = CpuMeter.Start(postmaster);
            var clock = Stopwatch.StartNew();
            var seen = await run();
            Wall.Add(clock.Elapsed.TotalMilliseconds);
            var (process, postgres) = cpu.Stop();
            Cpu.Add(process);
            PostgresCpu.Add(postgres);
            if (seen != expected)
            {
                throw new InvalidOperationException($"{Name} saw {seen} files, expected an unchanged tree of {expected}");
            }
        }
    }
}
