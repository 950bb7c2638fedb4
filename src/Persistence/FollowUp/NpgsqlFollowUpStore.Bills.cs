using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Persistence.Leases;
using NpgsqlTypes;

namespace BatchOrchestrator.Persistence.FollowUp;

/// <summary>When a batch's next look is due, and what looks for late bills found (docs/costs.md, "Late bills").</summary>
internal sealed partial class NpgsqlFollowUpStore
{
    public async Task<IReadOnlySet<long>> SaveBillsAsync(IReadOnlyList<LateBillOutcome> bills, Lease fence, CancellationToken cancellationToken)
    {
        if (bills.Count == 0)
        {
            return new HashSet<long>();
        }

        // Only a charge still owed its bill takes a look's finding, and only once: the versions returned are those this
        // write settled (with the bill, or at the estimate), which alone are counted in the metrics and said in the log. Fenced
        // as the outcomes are (docs/reliability.md, "Fencing").
        await using var batch = LeaseFence.CreateBatch(dataSource, fence);
        var command = new NpgsqlBatchCommand("""
            update orchestrator.credit_charge c
            set billed_credits = o.credits, billed_pages = coalesce(o.pages, c.billed_pages), billed_tier = coalesce(o.tier, c.billed_tier),
                drift = o.drift, bill_looks = c.bill_looks + 1,
                bill_look_at = case when o.credits is null and o.next_look is not null then c.unbilled_since + o.next_look end,
                settled_at = case when o.credits is not null or o.next_look is null then now() end,
                bill_never_came_at = case when o.credits is null and o.next_look is null then now() end
            from unnest($1::bigint[], $2::bigint[], $3::numeric[], $4::int[], $5::text[], $6::text[], $7::interval[])
                as o(file_version_id, batch_id, credits, pages, tier, drift, next_look)
            where c.file_version_id = o.file_version_id and c.batch_id = o.batch_id
              and c.bill_look_at is not null and c.settled_at is null and c.billed_credits is null
            returning c.file_version_id, c.settled_at is not null
            """);
        batch.BatchCommands.Add(command);
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. bills.Select(b => b.FileVersionId)] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. bills.Select(b => b.Charge.BatchId)] });
        command.Parameters.Add(new NpgsqlParameter<decimal?[]> { TypedValue = [.. bills.Select(b => b.Charge.Credits)] });
        command.Parameters.Add(new NpgsqlParameter<int?[]> { TypedValue = [.. bills.Select(b => b.Charge.Pages)] });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. bills.Select(b => b.Charge.Tier)] });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. bills.Select(b => b.Charge.Drift)] });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan?[]> { TypedValue = [.. bills.Select(b => b.Charge.Credits is null ? b.NextLook : null)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Interval });
        return await LeaseFence.RunAsync(fence, async () =>
        {
            var settled = new HashSet<long>();
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (reader.GetBoolean(1))
                {
                    settled.Add(reader.GetInt64(0));
                }
            }

            return (IReadOnlySet<long>)settled;
        });
    }

    private async Task SetNextLookAsync(long batchId, DateTimeOffset nextLookAt, int looks, Lease? fence, CancellationToken cancellationToken)
    {
        // Nothing waits any more, but a charge of the batch is owed a look for its late bill: the batch's follow-up makes
        // it, at its time (never before the one asked for: a pause or a lease held elsewhere puts the look back). Under the
        // follow-up's lease, fenced: a stale holder would put back a look the new holder has scheduled (docs/reliability.md).
        await using var batch = fence is null ? dataSource.CreateBatch() : LeaseFence.CreateBatch(dataSource, fence);
        var command = new NpgsqlBatchCommand($"""
            update orchestrator.batch
            set follow_up_checks = follow_up_checks + $4,
                follow_up_next_at = case when exists (
                    select 1 from orchestrator.batch_result r where r.batch_id = $1 and r.follow_up_state = any($3)) or exists (
                    select 1 from orchestrator.batch_result r
                    join orchestrator.file_version v on v.id = r.file_version_id
                    join orchestrator.file_copy k on k.file_version_id = v.id
                    where r.batch_id = $1 and r.follow_up_state = $5 and {CopyWaits("$3", "$6")}) then $2
                    else (select greatest($2, min(c.bill_look_at)) from orchestrator.credit_charge c
                          where c.batch_id = $1 and c.bill_look_at is not null and c.settled_at is null having count(*) > 0) end
            where id = $1
            """);
        batch.BatchCommands.Add(command);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = batchId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = nextLookAt });
        command.Parameters.Add(StateParameters.Names(FollowUpLifecycle.Waiting));
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = looks });
        command.Parameters.Add(StateParameters.Name(FollowUpState.FollowedUp));
        command.Parameters.Add(StateParameters.Name(FollowUpLifecycle.FollowedOutcome));
        if (fence is null)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
            return;
        }

        await LeaseFence.RunAsync(fence, () => batch.ExecuteNonQueryAsync(cancellationToken));
    }
}
