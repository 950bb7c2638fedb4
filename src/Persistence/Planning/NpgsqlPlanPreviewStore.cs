using BatchOrchestrator.Core.Costs;
using BatchOrchestrator.Core.Planning;
using NpgsqlTypes;

namespace BatchOrchestrator.Persistence.Planning;

/// <summary>Reads for a plan: what planning would take, and the caps' use. Nothing is locked or written.</summary>
internal sealed class NpgsqlPlanPreviewStore(NpgsqlDataSource dataSource) : IPlanPreviewStore
{
    public async Task<IReadOnlyList<PlanCandidate>> PendingAsync(string source, int maxAttempts, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select id, relative_path, size, pages, escalated_at is not null, cap_approved_at is not null
            from orchestrator.file_version
            where source_name = $1
              and ((state = any($2) and batch_id is null)
                or (state = any($3) and error_class = any($4) and process_attempts < $5))
            order by id
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        command.Parameters.Add(FileVersionLifecycle.Plan.FromStates());
        command.Parameters.Add(FileVersionLifecycle.Retry.FromStates());
        command.Parameters.Add(StateParameters.Names(RetryRule.RetriedClasses));
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxAttempts });
        return await ReadAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<PlanCandidate>> CandidatesAsync(IReadOnlyList<long> fileVersionIds, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select id, relative_path, size, pages, false, false
            from orchestrator.file_version
            where id = any($1)
            order by id
            """);
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. fileVersionIds] });
        return await ReadAsync(command, cancellationToken);
    }

    public async Task<MirrorLook> MirrorAsync(string source, CancellationToken cancellationToken)
    {
        // The copies in the source's mirror directory (its latest batch's), judged as planning judges them.
        await using var command = dataSource.CreateCommand($"""
            select v.id, v.relative_path, v.size, v.pages, f.sha256 = v.sha256, f.relative_path is not null and {MirroredLooks.Settling("$3")}
            from orchestrator.file_version v
            left join orchestrator.source_file f
                on f.source_name = v.source_name and f.relative_path = v.relative_path and f.deleted_at is null
            where v.source_name = $1 and v.remote_file_id is not null and v.remote_deleted_at is null
              and v.remote_directory_id = (select remote_directory_id {NpgsqlBatchPlanStore.LatestMirrorBatch})
            order by v.id
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        command.Parameters.Add(StateParameters.Name(Core.Sources.RemoteLayout.Mirror));
        command.Parameters.Add(MirroredLooks.FolderKinds());
        var current = new List<PlanCandidate>();
        var changing = 0; // copies of files deleted or replaced locally are removed without a parse: not counted
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!reader.IsDBNull(4) && reader.GetBoolean(4))
            {
                current.Add(new PlanCandidate(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt32(3), false, false));
            }
            else if (reader.GetBoolean(5))
            {
                changing++;
            }
        }

        return new MirrorLook(current, changing);
    }

    private static async Task<IReadOnlyList<PlanCandidate>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var candidates = new List<PlanCandidate>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            candidates.Add(new PlanCandidate(
                reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt32(3), reader.GetBoolean(4), reader.GetBoolean(5)));
        }

        return candidates;
    }

    public async Task<(IReadOnlyList<CapCheck> Caps, IReadOnlyList<decimal> Used)> CapUseAsync(
        IReadOnlyList<CapCheck> caps, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        if (caps.Count == 0)
        {
            return (caps, []);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var now = await DatabaseClock.NowAsync(connection, null, cancellationToken);
        caps = [.. caps.Select(c => c.At(now, zone))];
        await using var command = new NpgsqlCommand("""
            select case when k.since is null then 0 else coalesce((
                select sum(coalesce(c.billed_credits, c.reserved_credits)) from orchestrator.credit_charge c
                where (k.scope = $3 or c.source_name = k.scope) and c.reserved_at >= k.since), 0) end
            from unnest($1::text[], $2::timestamptz[]) with ordinality as k(scope, since, ord)
            order by k.ord
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. caps.Select(c => c.Scope)] });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?[]> { TypedValue = [.. caps.Select(c => c.WindowStart)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = CapOptions.GlobalScope });
        return (caps, await command.ReadColumnAsync<decimal>(cancellationToken));
    }
}
