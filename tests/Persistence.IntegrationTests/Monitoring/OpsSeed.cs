namespace BatchOrchestrator.Persistence.IntegrationTests.Monitoring;

/// <summary>Runs, batches, versions and results as the pipeline leaves them, written with plain SQL for the read-side tests.</summary>
internal static class OpsSeed
{
    public static Task<long> RunAsync(TestDatabase db, string source, string state = "Completed", int newVersions = 0, string started = "now() - interval '10 minutes'", string? finished = "now()") =>
        db.ScalarAsync<long>($"""
            with s as (insert into orchestrator.source (name) values ($1) on conflict do nothing)
            insert into orchestrator.run (source_name, trigger, state, started_at, finished_at, new_versions)
            values ($1, 'Schedule', $2, {started}, {finished ?? "null"}, $3) returning id
            """, source, state, newVersions);

    /// <summary><paramref name="count"/> versions a Day cap on every source holds under <paramref name="runId"/>, as planning leaves them.</summary>
    public static Task HeldAsync(TestDatabase db, string source, long runId, int count) =>
        db.ExecuteAsync("""
            insert into orchestrator.file_version (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state, held_cap, held_run_id, held_reason)
            select $1, 'held-' || i || '.pdf', 1, 1, sha256(i::text::bytea), 'held-' || i, 'Held', 'global/Day', $2, 'held by the Day cap on global'
            from generate_series(1, $3) i
            """, source, runId, count);

    public static Task<long> BatchAsync(
        TestDatabase db, long runId, string source, string configurationId = "cfg-PARSE_AGENTIC", string jobType = "parse_v2", string state = "ResultsRecorded", string? finished = "now()",
        string? v1ParseTier = null) =>
        db.ScalarAsync<long>($"""
            insert into orchestrator.batch (run_id, source_name, state, job_type, configuration_id, directory_name, file_count, remote_batch_id, finished_at, v1_parse_tier)
            values ($1, $2, $3, $4, $5, 'dir-' || gen_random_uuid(), 0, 'bat-' || gen_random_uuid(), {finished ?? "null"}, nullif($6, '')) returning id
            """, runId, source, state, jobType, configurationId, v1ParseTier ?? "");

    /// <summary>
    /// A file at <paramref name="path"/> in a first batch of a run, and a second batch of the same run: a version sent again
    /// (a mirror's rebatch, a reprocess), whose later job is the second batch's.
    /// </summary>
    public static async Task<(long Run, long First, long File, long Second)> SentTwiceAsync(TestDatabase db, string source, string path)
    {
        var run = await RunAsync(db, source);
        var first = await BatchAsync(db, run, source);
        var file = await FileAsync(db, first, source, path);
        return (run, first, file, await BatchAsync(db, run, source));
    }

    /// <summary>A file version of <paramref name="batchId"/> with its batch result; its file is on disk as scanned unless <paramref name="onDisk"/> is false.</summary>
    public static async Task<long> FileAsync(
        TestDatabase db, long batchId, string source, string path, string outcome = "Succeeded", string? jobStatus = null,
        string followUp = "FollowedUp", bool onDisk = true, string? errorClass = null)
    {
        var id = await db.ScalarAsync<long>("""
            insert into orchestrator.file_version (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state, batch_id, job_id, error_class)
            values ($1, $2, 10, 1000, sha256($2::bytea), encode(sha256($2::bytea), 'hex'), $3, $4, case when $3 = 'Succeeded' then 'pjb-' || $2 end, nullif($5, ''))
            returning id
            """, source, path, outcome, batchId, errorClass ?? "");
        await db.ExecuteAsync("""
            insert into orchestrator.batch_result (batch_id, file_version_id, source_directory_file_id, job_id, outcome, remote_job_status, follow_up_state)
            values ($1, $2, 'dfl-' || $2, (select job_id from orchestrator.file_version where id = $2), $3, nullif($4, ''), case when $3 = 'Succeeded' then $5 end)
            """, batchId, id, outcome, jobStatus ?? "", followUp);
        if (onDisk)
        {
            await db.ExecuteAsync("""
                insert into orchestrator.source_file (source_name, relative_path, size, mtime_ticks, first_seen_at, sha256)
                values ($1, $2, 10, 2000, now(), sha256($2::bytea))
                """, source, path);
        }

        return id;
    }
}
