using System.Text.Json.Nodes;
using BatchOrchestrator.Sandbox.Faults;
using BatchOrchestrator.Sandbox.Processing;

namespace BatchOrchestrator.Sandbox.V1Batches;

/// <summary>
/// Moves v1 batch jobs one step: pending → running (items start processing a slice per step,
/// or are skipped) → dispatched once no item is pending → completed once every item is done.
/// A cancelled job's items already processing still finish (docs/llamacloud-api.md §3.2). Call under the state lock.
/// </summary>
internal sealed class V1Processor(SandboxState state, SandboxOptions options, JobFactory jobs, FaultState faults)
{
    public void Advance(long step)
    {
        foreach (var job in state.V1Jobs.All.Where(j => j.LastStep < step && HasWork(j)).OrderBy(j => j.Sequence).ToList())
        {
            job.LastStep = step;
            FinishProcessingItems(job);
            switch (job.Status)
            {
                case V1Status.Pending:
                    job.Status = V1Status.Running;
                    job.StartedAt = state.Now;
                    break;
                case V1Status.Running:
                    StartPendingItems(job);
                    if (job.Items.All(i => i.Status != V1Status.Pending))
                    {
                        job.Status = V1Status.Dispatched;
                    }

                    break;
                case V1Status.Dispatched when job.Items.All(i => V1Status.IsTerminalItem(i.Status)):
                    job.Status = V1Status.Completed;
                    job.CompletedAt = state.Now;
                    break;
                default:
                    break;
            }

            job.UpdatedAt = state.Now;
        }
    }

    private static bool HasWork(V1JobRecord job)
        => !V1Status.IsTerminalJob(job.Status) || job.Items.Any(i => i.Status == V1Status.Processing);

    private void StartPendingItems(V1JobRecord job)
    {
        foreach (var item in job.Items.Where(i => i.Status == V1Status.Pending).Take(Math.Max(1, options.FilesMappedPerStep)))
        {
            if (item.Content.Bytes.LongLength > options.V1ItemSizeLimitBytes)
            {
                Skip(item, "size_limit_exceeded");
            }
            else if (state.V1Processed.Contains(Key(item, job)))
            {
                Skip(item, "already_processed");
            }
            else
            {
                item.Status = V1Status.Processing;
                item.StartedAt = state.Now;
                item.PlannedFailure = jobs.PlannedFailure(item.Content, item.ItemName);
                item.JobId = job.JobType == "parse" && options.Guesses.V1ParseJobIsV2ParseJob
                    ? jobs.CreateParse(job.ProjectId, item.Content, item.ItemName, job.ParseTier ?? options.V1ParseDefaultTier, null, new Dictionary<string, string>(StringComparer.Ordinal) { ["batch_job_id"] = job.Id }, []).Id
                    : Ids.Plain();
            }
        }
    }

    private void FinishProcessingItems(V1JobRecord job)
    {
        foreach (var item in job.Items.Where(i => i.Status == V1Status.Processing && i.StartedAt is not null))
        {
            item.CompletedAt = state.Now;
            if (item.PlannedFailure is not null)
            {
                item.Status = V1Status.Failed;
                item.ErrorMessage = item.PlannedFailure;
                continue;
            }

            item.Status = V1Status.Completed;
            state.V1Processed.Add(Key(item, job));
            // "Currently empty" (TS SDK 2.13.0 job-items.d.ts): a classification is read from its classifier job instead.
            item.OutputMetadata = [];
            item.Classification = job.JobType == "classify" ? Classify(job.JobConfig) : null;
        }
    }

    /// <summary>Same bytes, same job parameters: processed already, whichever job did it.</summary>
    private static string Key(V1ItemRecord item, V1JobRecord job) => $"{job.ProjectId}/{item.ContentHash}/{job.ParametersHash}";

    private void Skip(V1ItemRecord item, string reason)
    {
        item.Status = V1Status.Skipped;
        item.SkipReason = reason;
        item.CompletedAt = state.Now;
    }

    /// <summary>Picks one of the job's rules, reproducibly from the seed.</summary>
    private JsonObject Classify(JsonElement config)
    {
        var rules = config.TryGetProperty("rules", out var r) && r.ValueKind == JsonValueKind.Array ? r.EnumerateArray().ToList() : [];
        var pick = rules.Count == 0 ? (JsonElement?)null : rules[(int)(faults.NextProcessingDouble() * rules.Count)];
        var type = pick is { } rule && rule.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : "unknown";
        return new JsonObject { ["type"] = type, ["confidence"] = 0.92, ["reasoning"] = $"Simulated classification as '{type}'." };
    }
}
