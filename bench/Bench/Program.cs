using System.Globalization;
using BatchOrchestrator.Bench;
using BatchOrchestrator.TestSupport;

// dotnet run -c Release --project bench/Bench -- [name ...] [--scale 0.1] [--minutes 2] [--worker <published folder>] (bench/README.md)
if (args is [ScanMemoryBenchmark.ChildVerb, var mode, var root, var connectionString])
{
    return await ScanMemoryBenchmark.ChildAsync(mode, root, connectionString); // a measured child of "scan-memory"
}

IBenchmark[] benchmarks =
[
    new ScanBenchmark(),
    new ScanMemoryBenchmark(),
    new UploadBenchmark(),
    new RecordResultsBenchmark(),
    new PollRoundTripsBenchmark(),
    new FollowUpRequestsBenchmark(),
    new IdleBenchmark(),
    new EndToEndBenchmark(),
    new LanesBenchmark(),
    new PlanBenchmark(),
    new PagesBenchmark(),
];

var scale = 1.0;
var names = new List<string>();
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--scale" && i + 1 < args.Length)
    {
        scale = double.Parse(args[++i], CultureInfo.InvariantCulture);
    }
    else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
    {
        options[args[i][2..]] = args[++i]; // --minutes 2, --worker <published folder>
    }
    else
    {
        names.Add(args[i]);
    }
}

var selected = names.Count == 0 ? benchmarks : benchmarks.Where(b => names.Contains(b.Name)).ToArray();
if (selected.Length == 0)
{
    Console.WriteLine("Benchmarks: " + string.Join(", ", benchmarks.Select(b => $"{b.Name} ({b.Description})")));
    return names.Count == 0 ? 0 : 2;
}

var postgres = new PostgresServerFixture();
await postgres.InitializeAsync();
var scratch = Directory.CreateTempSubdirectory("bo-bench-").FullName;
if (!OperatingSystem.IsWindows())
{
    File.SetUnixFileMode(scratch, (UnixFileMode)0b111_101_101); // 0755: an embedded PostgreSQL run as its own user must reach its folder in here
}

await using var context = new BenchContext(postgres, scratch, scale, options);
Console.WriteLine($"PostgreSQL from {postgres.Provider}; scale {scale.ToString(CultureInfo.InvariantCulture)}; {Environment.ProcessorCount} cores");
var missed = 0;
foreach (var benchmark in selected)
{
    Console.WriteLine($"== {benchmark.Name}: {benchmark.Description}");
    foreach (var result in await benchmark.RunAsync(context, CancellationToken.None))
    {
        Console.WriteLine(result);
        missed += result.MeetsTarget ? 0 : 1;
    }
}

return missed == 0 ? 0 : 1;
