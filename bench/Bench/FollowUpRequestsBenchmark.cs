using System.Globalization;
using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Sandbox;
using BatchOrchestrator.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace BatchOrchestrator.Bench;

/// <summary>
/// LlamaCloud requests the follow-up makes per 1,000 files until every result is fetched: with job statuses
/// read in bulk (<c>GET /api/v2/parse?job_ids=…</c>, ours) against one GET per job per look (the path before
/// it, kept here only: the benchmark swaps the bulk reader for one that knows no status, which is exactly
/// how the follow-up read jobs before). Both runs look at the same pace over a Sandbox whose jobs take a few
/// looks to finish, and are counted by the Sandbox itself (<c>requests_by_route</c>).
/// </summary>
internal sealed class FollowUpRequestsBenchmark : IBenchmark
{
    private static readonly TimeSpan LookEvery = TimeSpan.FromSeconds(1);

    public string Name => "followup-requests";

    public string Description => "API requests per 1,000 files to follow up parse jobs: bulk status reads vs one GET per job per look (target: at most 0.75)";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var files = context.Scaled(1_000);
        var before = await MeasureAsync(context, files, bulk: false, cancellationToken);
        var after = await MeasureAsync(context, files, bulk: true, cancellationToken);
        var perThousand = 1_000.0 / files;
        var note = string.Create(
            CultureInfo.InvariantCulture,
            $"{files:N0} files; bulk: {after.Lists} lists + {after.Gets} gets over {after.Looks} looks; per job: {before.Gets} gets over {before.Looks} looks");
        return [new BenchResult("follow-up requests per 1,000 files", (after.Lists + after.Gets) * perThousand, (before.Lists + before.Gets) * perThousand, "requests", 0.75, LowerIsBetter: true, note)];
    }

    private static async Task<(long Lists, long Gets, int Looks)> MeasureAsync(BenchContext context, int files, bool bulk, CancellationToken cancellationToken)
    {
        // Jobs run about 20 s (real ones take minutes against looks seconds apart), long enough that they are still
        // running when the batch is recorded even on a loaded machine, so both paths look several times.
        await using var harness = await PipelineHarness.CreateAsync(
            context.Postgres,
            new Dictionary<string, string?> { ["Pipeline:UploadConcurrency"] = "16", ["LlamaCloud:UploadRateLimit:PermitLimit"] = "0" },
            new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(200), JobRunningSteps = 100, FilesMappedPerStep = 1_000, RateLimits = { ["uploads"] = new SandboxRateLimit { PermitLimit = 0, Window = TimeSpan.FromSeconds(1) } } },
            services =>
            {
                if (!bulk)
                {
                    services.AddTransient<IJobStatuses, NoStatuses>();
                }
            });
        harness.WriteFiles(files);
        var batches = await harness.RunToRecordedAsync(cancellationToken);
        var lists0 = await harness.Admin.CounterAsync("requests_by_route", "GET /api/v2/parse");
        var gets0 = await harness.Admin.CounterAsync("requests_by_route", "GET /api/v2/parse/{job_id}");

        var looks = 0;
        while (await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'Recorded'") > 0)
        {
            looks++;
            foreach (var batchId in batches)
            {
                await harness.Get<FollowUpProcessor>().FollowUpAsync(batchId, cancellationToken);
            }

            await Task.Delay(LookEvery, cancellationToken);
        }

        var lists = await harness.Admin.CounterAsync("requests_by_route", "GET /api/v2/parse") - lists0;
        var gets = await harness.Admin.CounterAsync("requests_by_route", "GET /api/v2/parse/{job_id}") - gets0;
        return (lists, gets, looks);
    }

    /// <summary>Knows no status: every job is then read by itself, one GET per job per look, as before bulk reads.</summary>
    private sealed class NoStatuses : IJobStatuses
    {
        public Task<IReadOnlyDictionary<string, JobStatus>> ReadAsync(FollowUpWork work, IReadOnlyList<FollowUpItem> items, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<string, JobStatus>>(new Dictionary<string, JobStatus>());
    }
}
