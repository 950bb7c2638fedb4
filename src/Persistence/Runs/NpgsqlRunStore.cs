using BatchOrchestrator.Core.Costs;
using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Persistence.Runs;

/// <summary>Runs in <c>orchestrator.run</c>; their batches are planned by <see cref="Planning.NpgsqlBatchPlanStore"/>.</summary>
internal sealed partial class NpgsqlRunStore(NpgsqlDataSource dataSource, IOptions<CostOptions> costs) : IRunStore
{
    // The section is read once, at start: hashed once, on the first run rather than at every one.
    private string? costsFingerprint;

    public async Task<long> StartRunAsync(string source, RunTrigger trigger, CancellationToken cancellationToken)
    {
        // The source is planned under this process's Costs section from now on: a start under another plans its held files again.
        await using var command = dataSource.CreateCommand("""
            with s as (insert into orchestrator.source (name, costs_seen) values ($1, $4) on conflict (name) do update set costs_seen = $4)
            insert into orchestrator.run (source_name, trigger, state) values ($1, $2, $3) returning id
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        command.Parameters.Add(StateParameters.Name(trigger));
        command.Parameters.Add(RunLifecycle.Start.TargetState());
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = costsFingerprint ??= costs.Value.Fingerprint() });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static readonly string AllItsBatchesEnded = $"({InterruptedRunEnd.AnyBatch("r")} and not {InterruptedRunEnd.OpenBatch("r", 15)})";

    public async Task FinishScanAsync(long runId, ScanSummary summary, int batchCount, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(InterruptedRunEnd.LockBatches("where r.id = $1", Id(runId)));
        var command = new NpgsqlBatchCommand($"""
            update orchestrator.run r
            -- Batches that all ended while the run still scanned could not complete it (RunLifecycle.FinishScanAfterItsBatches).
            set state = case when $7 = 0 then $10 when {AllItsBatchesEnded} then $16 else $9 end,
                finished_at = case when $7 = 0 or {AllItsBatchesEnded} then now() end,
                scanned_at = now(), files_seen = $2, files_new_or_changed = $3, files_unsettled = $4,
                new_versions = $5, batch_count = $7, error = $6, files_with_problems = $8, files_held = $12,
                files_left_out_by_patterns = $13, files_changed_while_hashing = $14
            where id = $1 and state = any($11)
            """);
        command.Parameters.Add(Id(runId));
        command.Parameters.Add(Int(summary.Seen));
        command.Parameters.Add(Int(summary.NewOrChanged));
        command.Parameters.Add(Int(summary.Unsettled));
        command.Parameters.Add(Int(summary.NewVersions));
        command.Parameters.Add(Text(summary.Deferred > 0 ? $"{summary.Deferred} files could not be read or changed while hashing; the next scan retries them" : null));
        command.Parameters.Add(Int(batchCount));
        command.Parameters.Add(Int(summary.Problems));
        command.Parameters.Add(RunLifecycle.FinishScanWithBatches.TargetState());
        command.Parameters.Add(RunLifecycle.FinishScanWithNothing.TargetState());
        command.Parameters.Add(RunLifecycle.FinishScanWithBatches.FromStates());
        command.Parameters.Add(Int(summary.Held));
        command.Parameters.Add(new NpgsqlParameter<int?> { TypedValue = summary.LeftOutByPatternsTakingNone, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        command.Parameters.Add(Int(summary.ChangedWhileHashing));
        command.Parameters.Add(StateParameters.Names(BatchLifecycle.Ended));
        command.Parameters.Add(RunLifecycle.FinishScanAfterItsBatches.TargetState());
        batch.BatchCommands.Add(command);
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task FailRunAsync(long runId, string error, CancellationToken cancellationToken)
    {
        // Failed, unless its planning had committed batches: they go on under it (InterruptedRunEnd).
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(InterruptedRunEnd.LockBatches("where r.id = $1", Id(runId)));
        var command = new NpgsqlBatchCommand($"update orchestrator.run r set error = $2, {InterruptedRunEnd.Set("r", 4)} where r.id = $1 and r.state = any($3)");
        command.Parameters.Add(Id(runId));
        command.Parameters.Add(Text(error));
        command.Parameters.Add(RunLifecycle.Fail.FromStates());
        command.Parameters.AddRange(InterruptedRunEnd.Parameters());
        batch.BatchCommands.Add(command);
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<InterruptedRun>> EndInterruptedScansAsync(string source, string error, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(InterruptedRunEnd.LockBatches("where r.source_name = $1 and r.state = any($2)", Text(source), RunLifecycle.Fail.FromStates()));
        var command = new NpgsqlBatchCommand($"""
            update orchestrator.run r set error = $2, {InterruptedRunEnd.Set("r", 4)}
            where r.source_name = $1 and r.state = any($3) returning r.id, r.state
            """);
        command.Parameters.Add(Text(source));
        command.Parameters.Add(Text(error));
        command.Parameters.Add(RunLifecycle.Fail.FromStates());
        command.Parameters.AddRange(InterruptedRunEnd.Parameters());
        batch.BatchCommands.Add(command);
        var runs = new List<InterruptedRun>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken); // past the lock's rows
        while (await reader.ReadAsync(cancellationToken))
        {
            runs.Add(new InterruptedRun(reader.GetInt64(0), source, Enum.Parse<RunState>(reader.GetString(1))));
        }

        return runs;
    }

    public async Task RequestRerunAsync(string source, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            insert into orchestrator.source (name, rerun_requested_at) values ($1, now())
            on conflict (name) do update set rerun_requested_at = now()
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> TakeRerunRequestAsync(string source, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "update orchestrator.source set rerun_requested_at = null where name = $1 and rerun_requested_at is not null");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<string>> SourcesHoldingFilesUnderOtherCostsAsync(IReadOnlyList<string> sources, string costs, CancellationToken cancellationToken)
    {
        // One statement, so that of several instances starting with the same section only one sees it changed (an update
        // waiting for another's row lock checks its condition again). The held files are looked for only in the sources
        // whose section changed: at most once per change, not per start.
        await using var command = dataSource.CreateCommand("""
            with changed as (
                update orchestrator.source set costs_seen = $2
                where name = any($1) and costs_seen is distinct from $2
                returning name)
            select c.name from changed c
            where exists (select 1 from orchestrator.file_version fv where fv.source_name = c.name and fv.state = $3)
            order by 1
            """);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. sources] });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = costs });
        command.Parameters.Add(StateParameters.Name(FileVersionState.Held));
        return await command.ReadColumnAsync<string>(cancellationToken);
    }

    public async Task RecordConfiguredSourcesAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "insert into orchestrator.source (name) select unnest($1::text[]) on conflict (name) do nothing");
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. sources] });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, string>> RecordsUnderAnotherCaseAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken)
    {
        // orchestrator.source holds every name ever configured or run. A record is files, or batches (a RemoteOnly source
        // has no file of ours); the lookups go by the (source_name, …) indexes.
        await using var command = dataSource.CreateCommand("""
            select c.name, min(s.name) from unnest($1::text[]) as c(name)
            join orchestrator.source s on lower(s.name) = lower(c.name) and s.name <> c.name
            where (exists (select 1 from orchestrator.file_version v where v.source_name = s.name)
                   or exists (select 1 from orchestrator.batch b where b.source_name = s.name))
              and not exists (select 1 from orchestrator.file_version v where v.source_name = c.name)
              and not exists (select 1 from orchestrator.batch b where b.source_name = c.name)
            group by c.name
            """);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. sources] });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            found[reader.GetString(0)] = reader.GetString(1);
        }

        return found;
    }
}
