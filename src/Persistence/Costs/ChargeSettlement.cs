using Npgsql;

namespace BatchOrchestrator.Persistence.Costs;

/// <summary>
/// Releases the reservations of a batch that has ended for every file that got no job in it (not uploaded,
/// refused by the batch, cancelled): nothing was billed for those, so their charge becomes zero and their
/// cap room is free again. Run wherever a batch reaches its end, beside <c>RunCompletion</c>.
/// </summary>
internal static class ChargeSettlement
{
    public static NpgsqlBatchCommand ReleaseUnused(long batchId) => new("""
        update orchestrator.credit_charge c set billed_credits = 0, billed_pages = 0, settled_at = now()
        where c.batch_id = $1 and c.billed_credits is null
          and not exists (
              select 1 from orchestrator.batch_result r
              where r.batch_id = c.batch_id and r.file_version_id = c.file_version_id and r.job_id is not null)
        """)
    {
        Parameters = { new NpgsqlParameter<long> { TypedValue = batchId } },
    };
}
