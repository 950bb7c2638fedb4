using System.Data.Common;
using BatchOrchestrator.Persistence.Monitoring;
using Hangfire.Server;

namespace BatchOrchestrator.Worker.Logging;

/// <summary>
/// Opens a log scope around every job: its Hangfire job id, and the source, run and batch it works
/// on (a batch's source and run are read from its row), so every line the job logs, ours and the
/// libraries', can be found by any of them. Filters run on the job's own thread around the job,
/// so the scope flows into it.
/// </summary>
internal sealed class JobLogScopeFilter(OpsQueries queries, ILogger<JobLogScopeFilter> logger) : IServerFilter
{
    private const string ScopeItem = "BatchOrchestrator.LogScope";

    public void OnPerforming(PerformingContext context)
    {
        var ids = new Dictionary<string, object> { ["JobId"] = context.BackgroundJob.Id };
        var args = context.BackgroundJob.Job.Args;
        switch (args.Count > 0 ? args[0] : null)
        {
            case long batchId:
                ids["BatchId"] = batchId;
                try
                {
                    // Blocking is fine here: Hangfire runs filters synchronously on the job's worker thread.
                    if (queries.BatchOwnerAsync(batchId, context.CancellationToken.ShutdownToken).GetAwaiter().GetResult() is var (source, runId))
                    {
                        ids["Source"] = source;
                        ids["RunId"] = runId;
                    }
                }
                catch (DbException ex)
                {
                    // The job meets the same database and fails or retries on its own; its lines keep the batch id.
                    logger.LogDebug(ex, "Could not read the owner of batch {BatchId} for log scopes", batchId);
                }

                break;
            case string source:
                ids["Source"] = source;
                break;
        }

        context.Items[ScopeItem] = logger.BeginScope(ids);
    }

    public void OnPerformed(PerformedContext context)
    {
        if (context.Items.TryGetValue(ScopeItem, out var scope))
        {
            (scope as IDisposable)?.Dispose();
        }
    }
}
