using BatchOrchestrator.Sandbox.Batches;
using BatchOrchestrator.Sandbox.Parse;
using BatchOrchestrator.Sandbox.Webhooks;

namespace BatchOrchestrator.Sandbox.Processing;

/// <summary>
/// Moves v2 batches one step: PENDING → RUNNING (or THROTTLED while the concurrency cap is
/// reached) → map files to jobs a slice per step → COMPLETED once every file has a job_reference
/// or an error_message ("mapping complete", docs/llamacloud-api.md §10), or FAILED on demand. The concurrency
/// cap counts per project, as the service's limits do.
/// Cancellation lands on the next step and keeps the results mapped so far. Call under the state lock.
/// </summary>
internal sealed class BatchProcessor(SandboxState state, SandboxOptions options, JobFactory jobs, JobProcessor jobProcessor, WebhookDispatcher webhooks)
{
    public void Advance(long step)
    {
        var running = state.Batches.All.Where(b => b.Status == BatchStatus.Running)
            .GroupBy(b => b.ProjectId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        foreach (var batch in state.Batches.All.Where(b => !BatchStatus.IsTerminal(b.Status) && b.LastStep < step).OrderBy(b => b.Sequence).ToList())
        {
            var project = batch.ProjectId;
            if (batch.CancelRequested)
            {
                running[project] = running.GetValueOrDefault(project) - (batch.Status == BatchStatus.Running ? 1 : 0);
                Cancel(batch, step);
                continue;
            }

            if (batch.Status is BatchStatus.Pending or BatchStatus.Throttled)
            {
                if (options.MaxConcurrentBatches <= 0 || running.GetValueOrDefault(project) < options.MaxConcurrentBatches)
                {
                    running[project] = running.GetValueOrDefault(project) + 1;
                    Move(batch, BatchStatus.Running, step);
                }
                else if (batch.Status == BatchStatus.Pending)
                {
                    Move(batch, BatchStatus.Throttled, step);
                }

                continue;
            }

            MapNextFiles(batch);
            if (batch.FailAfterMapped is { } failAt && batch.Results.Count >= failAt)
            {
                running[project] = running.GetValueOrDefault(project) - 1;
                Move(batch, BatchStatus.Failed, step);
            }
            else if (batch.Results.Count == batch.Files.Count)
            {
                running[project] = running.GetValueOrDefault(project) - 1;
                Move(batch, BatchStatus.Completed, step);
            }
        }
    }

    /// <summary>Publishes the event for a batch's current status (used on create, too).</summary>
    public void Announce(BatchRecord batch)
        => webhooks.Publish(
            batch.Id,
            WebhookEvents.For("batch", batch.Status),
            () => JsonSerializer.SerializeToElement(batch.ToDto(expandResults: true), Json.SandboxJsonContext.Default.BatchDto),
            batch.Webhooks,
            BatchStatus.IsTerminal(batch.Status));

    private void MapNextFiles(BatchRecord batch)
    {
        var limit = batch.FailAfterMapped ?? batch.Files.Count;
        foreach (var file in batch.Files.Skip(batch.Results.Count).Take(Math.Max(1, options.FilesMappedPerStep)).TakeWhile(_ => batch.Results.Count < limit))
        {
            var reason = jobs.UnmappableReason(file.Content);
            if (reason is not null)
            {
                batch.Results.Add(new BatchResultDto(file.DirectoryFileId, null, reason));
                continue;
            }

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["batch_id"] = batch.Id, ["source_directory_file_id"] = file.DirectoryFileId };
            string id = batch.JobType == "extract_v2"
                ? jobs.CreateExtract(batch.ProjectId, file.Content, file.DisplayName, file.DirectoryFileId, batch.ConfigurationId, batch.ExtractConfiguration ?? Json.EmptyJson.Object, []).Id
                : jobs.CreateParse(batch.ProjectId, file.Content, file.DisplayName, batch.ParseTier ?? "agentic", batch.ConfigurationId, metadata, []).Id;
            batch.Results.Add(new BatchResultDto(file.DirectoryFileId, new JobReferenceDto(batch.JobType, id), null));
        }

        batch.UpdatedAt = state.Now;
    }

    private void Cancel(BatchRecord batch, long step)
    {
        foreach (var reference in batch.Results.Select(r => r.JobReference).OfType<JobReferenceDto>())
        {
            SimulatedJob? job = reference.Type == "extract_v2"
                ? state.ExtractJobs.Linked(reference.Id)
                : state.ParseJobs.Linked(reference.Id);
            if (job is not null && !JobStatus.IsTerminal(job.Status))
            {
                jobProcessor.Move(job, JobStatus.Cancelled, step);
            }
        }

        Move(batch, BatchStatus.Cancelled, step);
    }

    private void Move(BatchRecord batch, string status, long step)
    {
        batch.Status = status;
        batch.UpdatedAt = state.Now;
        batch.LastStep = step;
        Announce(batch);
    }
}
