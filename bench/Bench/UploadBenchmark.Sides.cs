using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.TestSupport;

namespace BatchOrchestrator.Bench;

/// <summary>The sides the rounds without a limit compare ours with (a raw loop, our client alone), and what each round of a side is measured by.</summary>
internal sealed partial class UploadBenchmark
{
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
