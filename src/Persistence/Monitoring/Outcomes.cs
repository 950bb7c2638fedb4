namespace BatchOrchestrator.Persistence.Monitoring;

/// <summary>
/// One outcome per file a batch ended (<see cref="OfBatch"/>): what the batch reported for it, or, for a job
/// the follow-up then found FAILED or CANCELLED (Core's JobVerdict), that verdict; and for a file the batch
/// never reported, its own state. Written with parameters from the first given on: Succeeded, Failed,
/// Skipped, then the two remote job statuses.
/// </summary>
internal static class Outcomes
{
    // The product job statuses the follow-up reads as a verdict on a Succeeded file (Core's JobResults).
    private const string JobFailed = "FAILED";
    private const string JobCancelled = "CANCELLED";

    /// <summary>
    /// A lateral subquery over the files batch <paramref name="batch"/> ended, one row each, its column <c>outcome</c>.
    /// Some files end in their batch with no result from LlamaCloud (Core's FileVersionLifecycle: NotUploaded,
    /// GiveUp, RecordUnreported, CancelBeforeSubmit): a batch given up before it reached LlamaCloud, one that
    /// failed as a whole, a file refused at upload. Their version still names the batch, and its state is then
    /// the only record of how it ended; a version that went back to the queue left the batch and is no outcome.
    /// </summary>
    public static string OfBatch(string batch, int first) => $"""
        lateral (
            select {Case(first)} as outcome
            from orchestrator.batch_result br where br.batch_id = {batch}.id
            union all
            select fv.state
            from orchestrator.file_version fv
            where fv.batch_id = {batch}.id and fv.state in (${first}, ${first + 1}, ${first + 2})
              and not exists (select 1 from orchestrator.batch_result r where r.batch_id = {batch}.id and r.file_version_id = fv.id))
        """;

    /// <summary>The outcome of one batch result <c>br</c>: a Succeeded item whose job failed or was cancelled is Failed or Skipped.</summary>
    public static string Case(int first) => $"""
        case when br.outcome = ${first} and br.remote_job_status = ${first + 3} then ${first + 1}
             when br.outcome = ${first} and br.remote_job_status = ${first + 4} then ${first + 2}
             else br.outcome end
        """;

    /// <summary>Counts of an aliased outcome column <paramref name="o"/> named Done, Failed, Skipped (or as given).</summary>
    public static string Counts(string o, int first, string done = "done", string failed = "failed", string skipped = "skipped") =>
        $"count(*) filter (where {o} = ${first}) as {done}, count(*) filter (where {o} = ${first + 1}) as {failed}, count(*) filter (where {o} = ${first + 2}) as {skipped}";

    public static NpgsqlParameter[] Parameters() =>
    [
        StateParameters.Name(FileVersionState.Succeeded),
        StateParameters.Name(FileVersionState.Failed),
        StateParameters.Name(FileVersionState.Skipped),
        new NpgsqlParameter<string> { TypedValue = JobFailed },
        new NpgsqlParameter<string> { TypedValue = JobCancelled },
    ];
}
