using System.Globalization;
using BatchOrchestrator.Bench;
using BatchOrchestrator.TestSupport;

// dotnet run -c Release --project bench/Bench -- [name ...] [--scale 0.1]
if (args is [ScanBenchmark.ChildVerb, var mode, var root, var connectionString])
{
    return await ScanBenchmark.ChildAsync(mode, root, connectionString); // a measured child of "scan"
}

IBenchmark[] benchmarks =
[
    new ScanBenchmark(),
    new UploadBenchmark(),
    new RecordResultsBenchmark(),
    new PollRoundTripsBenchmark(),
    new FollowUpRequestsBenchmark(),
    new PlanBenchmark(),
];

var scale = 1.0;
var names = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--scale" && i + 1 < args.Length)
    {
        scale = double.Parse(args[++i], CultureInfo.InvariantCulture);
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
await using var context = new BenchContext(postgres, Directory.CreateTempSubdirectory("bo-bench-").FullName, scale);
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
