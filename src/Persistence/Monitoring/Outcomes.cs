namespace BatchOrchestrator.Persistence.Monitoring;

/// <summary>
/// One outcome per file a batch ended (<see cref="OfBatch"/>): what the batch reported for it, or, for a job
/// the follow-up then found FAILED or CANCELLED (Core's JobVerdict), that verdict (<see cref="Case"/>); and for a file the batch
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
    /// Its column <c>file</c> names the file version (or, for a result of no version of ours, the remote file), so that
    /// counts over a time window can take each file once, by its latest outcome (<see cref="LatestPerFile"/>).
    /// </summary>
    public static string OfBatch(string batch, int first) => $"""
        lateral (
            select {Case(first)} as outcome, coalesce(br.file_version_id::text, 'remote ' || br.source_directory_file_id) as file
            from orchestrator.batch_result br where br.batch_id = {batch}.id
            union all
            select fv.state, fv.id::text
            from orchestrator.file_version fv
            where fv.batch_id = {batch}.id and fv.state in (${first}, ${first + 1}, ${first + 2})
              and not exists (select 1 from orchestrator.batch_result r where r.batch_id = {batch}.id and r.file_version_id = fv.id))
        """;

    /// <summary>
    /// The outcome of one batch result <c>br</c>: a Succeeded item whose job failed is Failed; one whose job was cancelled
    /// is as the follow-up's verdict made its file (Core's FollowUpProcessor): Failed when 'cancel jobs' cancelled it (its
    /// own request wins over its batch's), else Skipped when an operator here asked to cancel its batch, else Failed, for a
    /// job cancelled at LlamaCloud by someone else fails its file Transient and sends it again (docs/lifecycle.md); and one
    /// whose file the follow-up failed otherwise (its result gone before it was fetched: <c>file_verdict</c>) is Failed,
    /// whatever became of the file since.
    /// </summary>
    public static string Case(int first) => $"""
        case when br.outcome = ${first} and br.remote_job_status = ${first + 3} then ${first + 1}
             when br.outcome = ${first} and br.remote_job_status = ${first + 4} then
                 case when br.cancel_requested_at is null
                           and exists (select 1 from orchestrator.batch cb where cb.id = br.batch_id and cb.cancel_requested_at is not null)
                      then ${first + 2} else ${first + 1} end
             -- The follow-up failed its file itself (its result gone from LlamaCloud before it was fetched): the file got none.
             when br.outcome = ${first} and br.file_verdict = ${first + 1} then ${first + 1}
             else br.outcome end
        """;

    /// <summary>
    /// Rows <c>(source_name, outcome)</c>: the outcomes of the batches of <paramref name="sources"/> that ended where
    /// <paramref name="window"/> holds (over <c>b.finished_at</c>), each file once, by its latest: a file retried
    /// three times and failed each time is one failed file, and one that failed and then succeeded is done. Counted
    /// per batch (as a run's are), a file would be counted once for each batch it ended in.
    /// </summary>
    public static string LatestPerFile(string sources, string window, int first) => $"""
        (select distinct on (f.file) b.source_name, f.outcome
         from orchestrator.batch b cross join {OfBatch("b", first)} f
         where {window} and b.source_name = any({sources})
         order by f.file, b.finished_at desc, b.id desc)
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
