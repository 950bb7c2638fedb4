using BatchOrchestrator.Core.Costs;
using BatchOrchestrator.Core.Planning;
using NpgsqlTypes;

namespace BatchOrchestrator.Persistence.Planning;

/// <summary>
/// The caps' side of planning, PerRun and Mirror (docs/costs.md, "Caps"): a transaction-scoped advisory lock per cap
/// scope, each cap's use in its window, the candidates, the held versions and the reservations.
/// </summary>
internal sealed partial class NpgsqlBatchPlanStore
{
    /// <summary>
    /// One lock per scope (a source, or global), taken in name order and held to the commit: two plannings
    /// under a common cap, on any instance, run one after the other, so the second reads the first's
    /// reservations. A source's own lease already keeps its runs apart; the global scope is what two
    /// sources share.
    /// </summary>
    private static async Task LockCapsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        if (scopes.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand("""
            select pg_advisory_xact_lock(hashtextextended('batchorchestrator.cap:' || s.scope, 0))
            from unnest($1::text[]) with ordinality as s(scope, ord)
            order by s.ord
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. scopes] });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// The caps' windows as of the transaction's start, by the clock that stamps the reservations it writes (<see cref="DatabaseClock"/>);
    /// with only Run caps or none, no round trip for it (every unchanged scan plans).
    /// </summary>
    private static async Task<CostPlan> WindowsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CostPlan cost, CancellationToken cancellationToken) =>
        cost.HasWindows ? cost.At(await DatabaseClock.NowAsync(connection, transaction, cancellationToken)) : cost;

    /// <summary>Each cap's credits in its window: billed where known, reserved otherwise; a run cap counts this run.</summary>
    private static async Task<List<decimal>> CapUseAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long runId, IReadOnlyList<CapCheck> caps, CancellationToken cancellationToken)
    {
        if (caps.Count == 0)
        {
            return [];
        }

        await using var command = new NpgsqlCommand("""
            select coalesce((
                select sum(coalesce(c.billed_credits, c.reserved_credits)) from orchestrator.credit_charge c
                where (k.scope = $4 or c.source_name = k.scope)
                  and (case when k.since is null then c.run_id = $3 else c.reserved_at >= k.since end)), 0)
            from unnest($1::text[], $2::timestamptz[]) with ordinality as k(scope, since, ord)
            order by k.ord
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. caps.Select(c => c.Scope)] });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?[]> { TypedValue = [.. caps.Select(c => c.WindowStart)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = runId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = CapOptions.GlobalScope });
        return await command.ReadColumnAsync<decimal>(cancellationToken);
    }

    /// <summary>The next page of versions planning may take, after id <paramref name="after"/>, locked until the commit.</summary>
    private static async Task<List<PlanCandidate>> CandidatesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string source, long after, int page, CancellationToken cancellationToken)
    {
        var candidates = new List<PlanCandidate>(page);
        await using var pending = new NpgsqlCommand("""
            select id, relative_path, size, pages, escalated_at is not null, cap_approved_at is not null
            from orchestrator.file_version
            where source_name = $1 and state = any($2) and batch_id is null and id > $3
            order by id
            limit $4
            for update
            """, connection, transaction);
        pending.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        pending.Parameters.Add(FileVersionLifecycle.Plan.FromStates());
        pending.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
        pending.Parameters.Add(new NpgsqlParameter<int> { TypedValue = page });
        await using var reader = await pending.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            candidates.Add(new PlanCandidate(
                reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt32(3), reader.GetBoolean(4), reader.GetBoolean(5)));
        }

        return candidates;
    }

    /// <summary>Holds <paramref name="held"/>, and counts in <paramref name="tally"/> the runs they are held under.</summary>
    private static async Task HoldAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long runId, List<HeldVersion> held, PlanTally tally, CancellationToken cancellationToken)
    {
        if (held.Count == 0)
        {
            return;
        }

        // A version held again stays under the run that first held it, as its held_at does: that run is what the
        // Costs page and `status` show and what `approve <run>` names, and a later scan must not move it under an
        // operator about to approve it. So the runs are read back, for the log line to name every one of them.
        await using var hold = new NpgsqlCommand("""
            with held as (
                update orchestrator.file_version v
                set state = $2, held_cap = h.cap, held_reason = h.reason,
                    held_run_id = case when v.state = $2 then v.held_run_id else $3 end,
                    held_at = case when v.state = $2 then v.held_at else now() end, updated_at = now()
                from unnest($1::bigint[], $4::text[], $5::text[]) as h(id, cap, reason)
                where v.id = h.id and v.state = any($6)
                returning v.held_run_id)
            select held_run_id, count(*)::int from held group by held_run_id
            """, connection, transaction);
        hold.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. held.Select(h => h.Id)] });
        hold.Parameters.Add(FileVersionLifecycle.Hold.TargetState());
        hold.Parameters.Add(new NpgsqlParameter<long> { TypedValue = runId });
        hold.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. held.Select(h => h.Cap)] });
        hold.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. held.Select(h => h.Reason)] });
        hold.Parameters.Add(FileVersionLifecycle.Hold.FromStates());
        await using var reader = await hold.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tally.HeldUnder(reader.GetInt64(0), reader.GetInt32(1));
        }
    }

    /// <summary>The reservation of every version put in a batch: the ledger row a cap's use is summed from.</summary>
    private static async Task ReserveAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long runId, string source, List<(long Id, Reservation[] Files)> batches, CancellationToken cancellationToken)
    {
        var rows = batches.SelectMany(b => b.Files.Select(f => (Batch: b.Id, File: f))).ToList();
        await using var reserve = new NpgsqlCommand("""
            insert into orchestrator.credit_charge
                (file_version_id, batch_id, run_id, source_name, configuration_id, tier, pages, reserved_credits, escalation, approved)
            select r.file_version_id, r.batch_id, $1, $2, r.configuration_id, r.tier, r.pages, r.credits, r.escalation, r.approved
            from unnest($3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::int[], $8::numeric[], $9::boolean[], $10::boolean[])
                as r(file_version_id, batch_id, configuration_id, tier, pages, credits, escalation, approved)
            """, connection, transaction);
        reserve.Parameters.Add(new NpgsqlParameter<long> { TypedValue = runId });
        reserve.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        reserve.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. rows.Select(r => r.File.Id)] });
        reserve.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. rows.Select(r => r.Batch)] });
        reserve.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. rows.Select(r => r.File.Tier.ConfigurationId)] });
        reserve.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. rows.Select(r => r.File.Tier.Tier)] });
        reserve.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. rows.Select(r => r.File.Pages)] });
        reserve.Parameters.Add(new NpgsqlParameter<decimal[]> { TypedValue = [.. rows.Select(r => r.File.Credits)] });
        reserve.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = [.. rows.Select(r => r.File.Escalation)] });
        reserve.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = [.. rows.Select(r => r.File.Approved)] });
        await reserve.ExecuteNonQueryAsync(cancellationToken);
    }
}
