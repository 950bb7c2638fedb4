namespace BatchOrchestrator.Persistence.Costs;

/// <summary>
/// Releases the reservations of a batch that has ended for every file that got no job in it (not uploaded,
/// refused by the batch, cancelled): nothing was billed for those, so their charge becomes zero and their
/// cap room is free again. Run wherever a batch may reach its end, beside <c>RunCompletion</c>; it does nothing until the batch's <c>finished_at</c> is set.
/// A charge already settled without a bill (<see cref="KeepUnread"/>) is not released.
/// </summary>
internal static class ChargeSettlement
{
    public static NpgsqlBatchCommand ReleaseUnused(long batchId) => new("""
        update orchestrator.credit_charge c set billed_credits = 0, billed_pages = 0, settled_at = now()
        where c.batch_id = $1 and c.billed_credits is null and c.settled_at is null
          -- Only once the batch has ended: a batch whose uploads just finished has no results yet, and releasing
          -- then would let the next planning spend the same credits again while these jobs are still billed.
          and exists (select 1 from orchestrator.batch b where b.id = c.batch_id and b.finished_at is not null)
          and not exists (
              select 1 from orchestrator.batch_result r
              where r.batch_id = c.batch_id and r.file_version_id = c.file_version_id and r.job_id is not null)
        """)
    {
        Parameters = { new NpgsqlParameter<long> { TypedValue = batchId } },
    };

    /// <summary>
    /// A file the batch reported failed with a job (a v1 item whose parse job failed): that job may have billed the pages it
    /// parsed, and no follow-up reads a failed item's job. Settled without a bill, as <see cref="KeepUnread"/> settles: counted
    /// against the caps at the estimate, never taken as free (docs/costs.md, "Settling").
    /// </summary>
    public static NpgsqlBatchCommand KeepFailedJobs(long batchId) => new("""
        update orchestrator.credit_charge c set settled_at = now()
        from orchestrator.batch_result r
        where c.batch_id = $1 and c.billed_credits is null and c.settled_at is null
          and r.batch_id = c.batch_id and r.file_version_id = c.file_version_id and r.job_id is not null and r.outcome = $2
        """)
    {
        Parameters = { new NpgsqlParameter<long> { TypedValue = batchId }, StateParameters.Name(FileVersionState.Failed) },
    };

    /// <summary>
    /// A batch LlamaCloud no longer knows (404) may have run and billed the jobs of the files it held, and no bill of
    /// them can ever be read (docs/costs.md, "Settling"). Their reservations are settled as charges without a bill,
    /// as a job that reported no usage is: they keep counting against the caps at the estimate, so the files sent
    /// again cannot take a cap past its limit if the first bill was real. Only the files that went to LlamaCloud in it
    /// (in one of <paramref name="submitted"/>, before the record step moves them on); the rest, never sent in it,
    /// are released by <see cref="ReleaseUnused"/> as in any batch.
    /// </summary>
    public static NpgsqlBatchCommand KeepUnread(long batchId, NpgsqlParameter submitted) => new("""
        update orchestrator.credit_charge c set settled_at = now()
        from orchestrator.file_version v
        where c.batch_id = $1 and c.billed_credits is null and c.settled_at is null
          and v.id = c.file_version_id and v.batch_id = $1 and v.state = any($2)
        """)
    {
        Parameters = { new NpgsqlParameter<long> { TypedValue = batchId }, submitted },
    };
}
