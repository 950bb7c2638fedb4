namespace BatchOrchestrator.Persistence.Costs;

/// <summary>
/// Releases the reservations of a batch that has ended for every file that got no job in it (not uploaded,
/// refused by the batch, cancelled): nothing was billed for those, so their charge becomes zero and their
/// cap room is free again. Run wherever a batch may reach its end, beside <c>RunCompletion</c>; it does nothing until the batch's <c>finished_at</c> is set.
/// </summary>
internal static class ChargeSettlement
{
    public static NpgsqlBatchCommand ReleaseUnused(long batchId) => new("""
        update orchestrator.credit_charge c set billed_credits = 0, billed_pages = 0, settled_at = now()
        where c.batch_id = $1 and c.billed_credits is null
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
}
