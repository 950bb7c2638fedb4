using System.Diagnostics;
using System.Globalization;
using BatchOrchestrator.Core;
using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.Planning;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace BatchOrchestrator.Bench;

/// <summary>
/// P12: the plan of a 100,000-file tree whose 99,000 files are known and unchanged and 1,000 are new (the
/// walk against the stored looks, pages counted for the new ones, the caps' use, the allocation; nothing
/// written) against a raw enumeration of the same tree with size and mtime, alternating in one process,
/// median of each. Target: at most 2x (docs/costs.md, "Seeing it").
/// </summary>
internal sealed class PlanBenchmark : IBenchmark
{
    private const int Rounds = 5;

    public string Name => "plan";

    public string Description => "plan of a 100k tree (99k unchanged, 1k new) vs the raw walk (every file's size and mtime, the fastest way .NET offers)";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var files = context.Scaled(100_000);
        var fresh = Math.Max(1, files / 100);
        var root = Path.Combine(context.Scratch, $"plan-{files}");
        ScanTree.Make(root, files - fresh);
        var connectionString = await context.Postgres.CreateDatabaseAsync($"plan{files}");
        try
        {
            using var services = Services(connectionString);
            var source = new SourceOptions { Name = "bench", Path = root, SettleWindow = TimeSpan.Zero };
            await services.GetRequiredService<SourceScanner>().ScanAsync(source, cancellationToken); // the 99% now known
            // Known and already processed, as a nightly source's unchanged files are: otherwise the plan would count
            // 99,000 scanned-but-never-planned versions as waiting work, which is not the case this measures.
            await using (var dataSource = NpgsqlDataSource.Create(connectionString))
            await using (var processed = dataSource.CreateCommand("update orchestrator.file_version set state = $1"))
            {
                processed.Parameters.Add(new NpgsqlParameter { Value = nameof(FileVersionState.Succeeded) });
                await processed.ExecuteNonQueryAsync(cancellationToken);
                await EndToEndBenchmark.SettleAsync(dataSource, cancellationToken); // after touching 100,000 rows
            }

            ScanTree.Make(Path.Combine(root, "new"), fresh, "new");
            var preview = services.GetRequiredService<PlanPreview>();
            var ours = new List<double>();
            var raw = new List<double>();
            ScanTree.RawWalk(root); // page cache, JIT and pools warm for both sides
            await preview.PreviewAsync(source, cancellationToken);
            for (var i = 0; i < Rounds; i++)
            {
                var clock = Stopwatch.StartNew();
                var seen = ScanTree.RawWalk(root);
                raw.Add(clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                var plan = await preview.PreviewAsync(source, cancellationToken);
                ours.Add(clock.Elapsed.TotalMilliseconds);
                if (plan.Seen != files || plan.Unchanged != files - fresh || plan.NewOrChanged != fresh || seen != files)
                {
                    throw new InvalidOperationException($"Expected {files} files, {fresh} new; the plan saw {plan.Seen}, {plan.Unchanged} unchanged, {plan.NewOrChanged} new; raw {seen}");
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   plan {BenchMath.Median(ours):F0} ms, raw enumeration {BenchMath.Median(raw):F0} ms; rounds (plan / raw): {string.Join(" ", ours.Zip(raw, (o, r) => $"{o:F0}/{r:F0}"))}"));
            return [new BenchResult($"plan of {files:N0} files, {fresh:N0} new", BenchMath.Median(ours), BenchMath.Median(raw), "ms", Target: 2, LowerIsBetter: true, Note: $"median of {Rounds}")];
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Core and Persistence as the service builds them; the API is never called (the preset's tier is known).</summary>
    private static ServiceProvider Services(string connectionString)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = connectionString,
            ["LLAMA_CLOUD_API_KEY"] = "llx-bench-never-sent",
            ["LLAMA_CLOUD_BASE_URL"] = "http://127.0.0.1:9/",
            ["Sources:0:Name"] = "bench",
            ["Sources:0:Path"] = Path.GetTempPath(),
        });
        builder.AddBatchCore();
        builder.AddBatchPersistence();
        return builder.Services.BuildServiceProvider();
    }
}
