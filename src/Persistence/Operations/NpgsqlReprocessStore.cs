using System.Runtime.CompilerServices;
using BatchOrchestrator.Core.Operations;

namespace BatchOrchestrator.Persistence.Operations;

/// <summary>Files processed under an older configuration, found through their batch's fingerprint (migrations 0040 and 0064).</summary>
internal sealed class NpgsqlReprocessStore(NpgsqlDataSource dataSource) : IReprocessStore
{
    // Version v's own path still holds its content.
    private const string AtItsPath = """
        exists (select 1 from orchestrator.source_file f
                where f.source_name = v.source_name and f.relative_path = v.relative_path and f.deleted_at is null and f.sha256 = v.sha256)
        """;

    // The copies of version v whose path still holds its content (a file renamed since, with DedupeKey ContentHash: the
    // new name is a copy of the version), as k.
    private const string CopiesHoldingIt = """
        orchestrator.file_copy k
        join orchestrator.source_file f on f.source_name = k.source_name and f.relative_path = k.relative_path
        where k.file_version_id = v.id and f.deleted_at is null and f.sha256 = v.sha256
        """;

    // Sendable: the folder still holds this content, at the version's path or at a copy's, so the upload's own
    // size-and-mtime check passes once the version takes that file's current stamp; and no follow-up of an earlier job
    // is still pending (its result would land after the new one's). $3: the follow-up states still waiting.
    private const string Sendable = $"""
        ({AtItsPath} or exists (select 1 from {CopiesHoldingIt}))
        and not exists (select 1 from orchestrator.batch_result r where r.file_version_id = v.id and r.follow_up_state = any($3))
        """;

    // The configuration version v of batch b counts as processed under: a fallback's batch counts as the one before it.
    private static readonly string UnderIt = Batches.ProcessedUnder.Fingerprint("b", "v");

    public async IAsyncEnumerable<ReprocessCandidate> CandidatesAsync(
        string source, string currentFingerprint, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Batch by batch (few rows, indexed by source and fingerprint), then each batch's versions by index. A version
        // is named by the path it would be sent from (see RequeueAsync), so that a filter selects a renamed file by
        // the name it has in the folder now.
        await using var command = dataSource.CreateCommand($"""
            select v.id,
                   case when {AtItsPath} then v.relative_path
                        else coalesce((select k.relative_path from {CopiesHoldingIt} order by k.relative_path limit 1), v.relative_path) end,
                   {UnderIt}, coalesce(b.finished_at, v.updated_at), {Sendable}
            from orchestrator.batch b
            join orchestrator.file_version v on v.batch_id = b.id
            where b.source_name = $1 and b.configuration_fingerprint <> $2 and {UnderIt} <> $2 and v.state = any($4)
            order by v.id
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = currentFingerprint });
        command.Parameters.Add(StateParameters.Names(FollowUpLifecycle.Waiting));
        command.Parameters.Add(FileVersionLifecycle.Reprocess.FromStates());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new ReprocessCandidate(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetBoolean(4));
        }
    }

    public async Task<int> RequeueAsync(IReadOnlyList<long> fileVersionIds, string currentFingerprint, CancellationToken cancellationToken)
    {
        // Back to the queue with no batch, as a new version would be: the next run plans, uploads (into its own
        // remote directory) and batches it under the current configuration. Its earlier batch results stay.
        // A version whose own path no longer holds its content is sent from its first copy by name that does, as the
        // scan revives a skipped version: that path becomes the version's, and is a copy no more.
        await using var command = dataSource.CreateCommand($"""
            with target as (
                select distinct on (v.id) v.id, f.relative_path, f.size, f.mtime_ticks,
                       case when f.relative_path <> v.relative_path then k.id end as copy_id
                from orchestrator.file_version v
                join orchestrator.batch b on b.id = v.batch_id
                left join orchestrator.file_copy k on k.file_version_id = v.id
                join orchestrator.source_file f on f.source_name = v.source_name and f.deleted_at is null and f.sha256 = v.sha256
                    and (f.relative_path = v.relative_path or f.relative_path = k.relative_path)
                where v.id = any($1) and v.state = any($4) and b.configuration_fingerprint <> $2 and {UnderIt} <> $2 and {Sendable}
                order by v.id, f.relative_path <> v.relative_path, f.relative_path
            ), requeued as (
                update orchestrator.file_version v
                set state = $5, batch_id = null, unique_id = null, upload_started_at = null, remote_file_id = null,
                    remote_directory_id = null, job_type = null, job_id = null, error_message = null, error_class = null,
                    -- Sent under the current configuration as a new version is: to the source's own first, to its fallback
                    -- only if that fails again, priced so by the preview; still escalated, planning sent it to the fallback.
                    escalated_at = null, process_attempts = 0, relative_path = t.relative_path, size = t.size, mtime_ticks = t.mtime_ticks,
                    operator_queued_at = now(), updated_at = now()
                from target t
                where v.id = t.id and v.state = any($4) -- again: a row waited for is checked by this clause alone (read committed)
                returning v.id
            ), uncopied as (
                delete from orchestrator.file_copy k using target t join requeued q on q.id = t.id where k.id = t.copy_id
            )
            select count(*)::int from requeued
            """);
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. fileVersionIds] });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = currentFingerprint });
        command.Parameters.Add(StateParameters.Names(FollowUpLifecycle.Waiting));
        command.Parameters.Add(FileVersionLifecycle.Reprocess.FromStates());
        command.Parameters.Add(FileVersionLifecycle.Reprocess.TargetState());
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
