using BatchOrchestrator.Core.FollowUp;

namespace BatchOrchestrator.Persistence.FollowUp;

/// <summary>Whether a job reference's result still has the last word at its path, asked as a look begins and again before each write.</summary>
internal sealed partial class NpgsqlFollowUpStore
{
    // "Superseded": another version of the same path already has its result from a later batch (planned from a later
    // look at the folder), so the output keeps that one. By batch, not by version: content that comes back (an edit
    // undone in a mirror, a skipped version sent again) is an older version in a newer batch, and is the current one.
    // So is it when a look after this batch was made found the path holding another version's content (a copy: an edit
    // undone while the edit was parsed): the copy's delivery gives the path that content's result, which must stay. And so is
    // it when this very version has its result from a later batch (reprocessed, retried): the later job's result stands.
    // $f: FollowedUp.
    private static string Superseded(string f) => $"""
        {SentAgain(f)}
        or exists (
            select 1 from orchestrator.file_version n
            join orchestrator.batch_result nr on nr.file_version_id = n.id and nr.follow_up_state = {f}
            where n.source_name = v.source_name and n.relative_path = v.relative_path and n.id <> v.id and nr.batch_id > r.batch_id)
        or exists (
            select 1 from orchestrator.file_copy k
            where k.source_name = v.source_name and k.relative_path = v.relative_path and k.file_version_id <> v.id and k.found_at > b.created_at)
        """;

    // Reference r's version has its result from a later batch: sent again (reprocessed after a configuration change, retried),
    // its later job's result is the one its path and its copies' keep (docs/pipeline.md, "Follow-up sinks"). $f: FollowedUp.
    private static string SentAgain(string f) => $"""
        exists (
            select 1 from orchestrator.batch_result nr
            where nr.file_version_id = r.file_version_id and nr.batch_id > r.batch_id and nr.follow_up_state = {f})
        """;

    public async Task<Overtaken> OvertakenAsync(IReadOnlyList<long> own, IReadOnlyList<Delivery> copied, CancellationToken cancellationToken)
    {
        // A copy's delivery is overtaken when its version was sent again, or when the copy is no longer of its version: a scan
        // found its path holding other content (a copy of another version now, or the file's own version) after the look read it.
        await using var command = dataSource.CreateCommand($"""
            select r.id, null::bigint
            from orchestrator.batch_result r
            join orchestrator.file_version v on v.id = r.file_version_id
            join orchestrator.batch b on b.id = r.batch_id
            where r.id = any($1) and ({Superseded("$3")})
            union all
            select r.id, c.copy_id
            from unnest($2::bigint[], $4::bigint[]) as c(result_id, copy_id)
            join orchestrator.batch_result r on r.id = c.result_id
            where {SentAgain("$3")}
               or not exists (select 1 from orchestrator.file_copy k where k.id = c.copy_id and k.file_version_id = r.file_version_id)
            """);
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. own] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. copied.Select(c => c.ResultId)] });
        command.Parameters.Add(StateParameters.Name(FollowUpState.FollowedUp));
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. copied.Select(c => c.CopyId ?? throw new ArgumentException("A copy's delivery names its copy", nameof(copied)))] });
        var superseded = new HashSet<long>();
        var copies = new HashSet<Delivery>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (reader.IsDBNull(1))
            {
                superseded.Add(reader.GetInt64(0));
            }
            else
            {
                copies.Add(new Delivery(reader.GetInt64(0), reader.GetInt64(1)));
            }
        }

        return new Overtaken(superseded, copies);
    }
}
