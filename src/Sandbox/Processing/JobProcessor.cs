using System.Text.Json.Nodes;
using BatchOrchestrator.Sandbox.Extract;
using BatchOrchestrator.Sandbox.Parse;
using BatchOrchestrator.Sandbox.Webhooks;

namespace BatchOrchestrator.Sandbox.Processing;

/// <summary>
/// Moves parse and extract jobs one step: PENDING → RUNNING → (after JobRunningSteps) COMPLETED,
/// or FAILED with the failure decided at creation. Call under the state lock.
/// </summary>
internal sealed class JobProcessor(SandboxState state, SandboxOptions options, WebhookDispatcher webhooks, Billing.SandboxBilling billing, Faults.FaultState faults)
{
    public void Advance(long step)
    {
        var active = state.ParseJobs.All.Cast<SimulatedJob>()
            .Concat(state.ExtractJobs.All)
            .Where(j => !JobStatus.IsTerminal(j.Status) && j.LastStep < step)
            .OrderBy(j => j.Sequence)
            .ToList();
        foreach (var job in active)
        {
            if (job.Status == JobStatus.Pending)
            {
                job.RunningStepsLeft = Math.Max(1, options.JobRunningSteps);
                Move(job, JobStatus.Running, step);
            }
            else if (--job.RunningStepsLeft <= 0)
            {
                Finish(job, step);
            }
        }
    }

    public void Move(SimulatedJob job, string status, long step)
    {
        job.Status = status;
        job.UpdatedAt = state.Now;
        job.LastStep = step;
        // A job completed with failed pages announces parse.partial_success, an event the SDK lists though no job status
        // matches it; that it comes instead of parse.success is a guess (docs/llamacloud-api.md §6.2).
        var name = job is ParseJobRecord { PlannedFailedPages: true } && status == JobStatus.Completed ? "parse.partial_success" : WebhookEvents.For(job.Product, status);
        webhooks.Publish(job.Id, name, () => Snapshot(job), job.Webhooks, JobStatus.IsTerminal(status));
    }

    /// <summary>The parse output of a job's document, built once.</summary>
    public ParseOutput OutputOf(ParseJobRecord job) => job.Output ??= job.PlannedEmpty
        ? new ParseOutput([new ParsedPage(1, "", "", [])], FromText: true)
        : job.PlannedFailedPages
            ? ParseOutputBuilder.Build(job.Source, options.LinesPerPage).WithFailedPages()
            : ParseOutputBuilder.Build(job.Source, options.LinesPerPage);

    private void Finish(SimulatedJob job, long step)
    {
        // Billed as it completes, by the document's pages at the tier it ran at (or the bill-at-tier fault's); a failed job
        // only when the guess that failed jobs bill is on (Sandbox:Guesses:BillFailedJobs).
        var billedTier = faults.BillAtTier;
        if (job.PlannedFailure is not null)
        {
            if (options.Guesses.BillFailedJobs)
            {
                Bill(job, billedTier);
            }

            job.ErrorMessage = job.PlannedFailure;
            Move(job, JobStatus.Failed, step);
            return;
        }

        Bill(job, billedTier);
        if (job is ExtractJobRecord extract)
        {
            var output = ParseOutputBuilder.Build(extract.Source, options.LinesPerPage);
            var schema = extract.Configuration.TryGetProperty("data_schema", out var s) ? s : Json.EmptyJson.Object;
            var perPage = extract.Configuration.TryGetProperty("extraction_target", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() is "per_page" or "per_table_row";
            extract.PagesExtracted = output.Pages.Count;
            // Empty as its target shapes it: per_doc an object, per_page and per_table_row an array (the SDK's comment on extract_result).
            extract.Result = extract.PlannedEmpty ? (perPage ? new JsonArray() : new JsonObject()) : perPage
                ? new JsonArray([.. output.Pages.Select(p => new SchemaFiller(schema, p.Text, extract.Source.FileName).Fill())])
                : new SchemaFiller(schema, output.TextFull, extract.Source.FileName).Fill();
        }

        Move(job, JobStatus.Completed, step);
    }

    private void Bill(SimulatedJob job, string? billedTier)
    {
        if (job is ParseJobRecord parse)
        {
            billing.BillParse(parse, billedTier ?? parse.Tier);
        }

        if (job is ExtractJobRecord extract)
        {
            billing.BillExtract(extract, billedTier ?? extract.Tier, extract.ParseTier);
        }
    }

    private static JsonElement Snapshot(SimulatedJob job) => job switch
    {
        ParseJobRecord parse => JsonSerializer.SerializeToElement(parse.ToDto(false), Json.SandboxJsonContext.Default.ParseJobDto),
        ExtractJobRecord extract => JsonSerializer.SerializeToElement(extract.ToDto([]), Json.SandboxJsonContext.Default.ExtractJobDto),
        _ => Json.EmptyJson.Object,
    };
}
