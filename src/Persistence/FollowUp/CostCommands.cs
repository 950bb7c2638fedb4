using BatchOrchestrator.Core.FollowUp;

namespace BatchOrchestrator.Persistence.FollowUp;

/// <summary>The follow-up's cost writes, in the same round trip as its outcomes: what was billed, and escalations.</summary>
internal static class CostCommands
{
    public static void Add(NpgsqlBatch batch, IReadOnlyList<FollowUpOutcome> outcomes)
    {
        // What the job billed replaces the reservation (credits null: not billed yet, the reservation stays). A finished
        // job that reported no usage at all is settled with its reservation as the charge: no later look will bring a bill.
        // A job that ended before its bill was recorded stays open, counting at its reservation, and is owed a look for
        // the bill (docs/costs.md, "Late bills"); a look again at it (a sink refused its result) keeps the first schedule.
        var charges = outcomes.Where(o => o.Charge is not null && o.FileVersionId is not null).ToList();
        if (charges.Count > 0)
        {
            batch.BatchCommands.Add(new("""
                update orchestrator.credit_charge c
                set billed_credits = coalesce(o.credits, c.billed_credits), billed_pages = coalesce(o.pages, c.billed_pages),
                    billed_tier = coalesce(o.tier, c.billed_tier), drift = o.drift,
                    settled_at = case when o.credits is not null or o.no_usage then now() else c.settled_at end,
                    unbilled_since = case when o.late and c.settled_at is null then coalesce(c.unbilled_since, now()) else c.unbilled_since end,
                    bill_look_at = case
                        when o.credits is not null or o.no_usage then null
                        when o.late and c.settled_at is null then coalesce(c.bill_look_at, now() + o.first_look)
                        else c.bill_look_at end
                from unnest($1::bigint[], $2::bigint[], $3::numeric[], $4::int[], $5::text[], $6::text[], $7::boolean[], $8::boolean[], $9::interval[])
                    as o(file_version_id, batch_id, credits, pages, tier, drift, no_usage, late, first_look)
                where c.file_version_id = o.file_version_id and c.batch_id = o.batch_id
                """)
            {
                Parameters =
                {
                    new NpgsqlParameter<long[]> { TypedValue = [.. charges.Select(o => o.FileVersionId!.Value)] },
                    new NpgsqlParameter<long[]> { TypedValue = [.. charges.Select(o => o.Charge!.BatchId)] },
                    new NpgsqlParameter<decimal?[]> { TypedValue = [.. charges.Select(o => o.Charge!.Credits)] },
                    new NpgsqlParameter<int?[]> { TypedValue = [.. charges.Select(o => o.Charge!.Pages)] },
                    new NpgsqlParameter<string?[]> { TypedValue = [.. charges.Select(o => o.Charge!.Tier)] },
                    new NpgsqlParameter<string?[]> { TypedValue = [.. charges.Select(o => o.Charge!.Drift)] },
                    new NpgsqlParameter<bool[]> { TypedValue = [.. charges.Select(o => o.Charge!.NoUsageReported)] },
                    new NpgsqlParameter<bool[]> { TypedValue = [.. charges.Select(o => o.Charge!.LateBill)] },
                    new NpgsqlParameter<TimeSpan?[]> { TypedValue = [.. charges.Select(o => o.Charge!.FirstBillLook)], NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Interval },
                },
            });
        }

        // Once more with the source's fallback: back to the queue, flagged so planning puts it in a fallback batch. The
        // fallback's upload overwrites the version's directory file and stored file, so the reference keeps what remote
        // hygiene needs to delete its own (docs/remote-hygiene.md): its directory file and job it has, its stored file
        // is copied here, while the version still names it.
        var escalations = outcomes.Where(o => o.Escalate && o.FileVersionId is not null).ToList();
        if (escalations.Count > 0)
        {
            batch.BatchCommands.Add(new("""
                with escalated as (
                    update orchestrator.file_version v
                    set state = $2, escalated_at = now(), error_message = o.error, error_class = null,
                        batch_id = null, unique_id = null, upload_started_at = null, remote_file_id = null, updated_at = now()
                    from unnest($1::bigint[], $4::text[], $5::bigint[]) as o(id, error, result_id)
                    where v.id = o.id and v.state = any($3) and v.escalated_at is null
                    returning o.result_id, v.id, v.stored_file_id)
                update orchestrator.batch_result r set escalated_at = now(), stored_file_id = e.stored_file_id
                from escalated e
                where r.id = e.result_id and r.file_version_id = e.id
                """)
            {
                Parameters =
                {
                    new NpgsqlParameter<long[]> { TypedValue = [.. escalations.Select(o => o.FileVersionId!.Value)] },
                    FileVersionLifecycle.Escalate.TargetState(),
                    FileVersionLifecycle.Escalate.FromStates(),
                    new NpgsqlParameter<string?[]> { TypedValue = [.. escalations.Select(o => o.Error)] },
                    new NpgsqlParameter<long[]> { TypedValue = [.. escalations.Select(o => o.ResultId)] },
                },
            });
        }
    }
}
