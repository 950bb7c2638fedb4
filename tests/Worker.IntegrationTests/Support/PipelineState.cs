namespace BatchOrchestrator.Worker.IntegrationTests.Support;

/// <summary>What a host test's database says of the pipeline, for the message of a wait that ran out.</summary>
internal static class PipelineState
{
    /// <summary>
    /// The runs, batches, leases, file versions and job references by state, Hangfire jobs (whether and when a worker fetched each) and
    /// Hangfire's locks in <paramref name="database"/>, a line each, and its sessions that are not idle: what each waits
    /// on and which sessions block it. A wait that runs out on a loaded CI machine then says where the work stood.
    /// </summary>
    public static async Task<string> DescribeAsync(TestDatabase database)
    {
        const string Sql = """
            select 'run ' || to_jsonb(r)::text from orchestrator.run r
            union all select 'batch ' || (to_jsonb(b) - 'preexisting_remote_batch_ids')::text from orchestrator.batch b
            union all select 'lease ' || to_jsonb(l)::text from orchestrator.lease l
            union all select 'files ' || state || ': ' || count(*) from orchestrator.file_version group by state
            union all select 'references ' || coalesce(follow_up_state, 'none') || ': ' || count(*) from orchestrator.batch_result group by follow_up_state
            union all (select 'job ' || j.id || ' ' || coalesce(j.statename, '-') || ' '
                || split_part(split_part(j.invocationdata::jsonb->>'Type', ',', 1), '.', -1) || (j.invocationdata::jsonb->>'Arguments')
                || ' created ' || j.createdat::time || coalesce(', in queue ' || q.queue || ', fetched ' || q.fetchedat::time, '')
                || coalesce(' (' || (select s.reason from hangfire.state s where s.jobid = j.id order by s.id desc limit 1) || ')', '')
              from hangfire.job j left join hangfire.jobqueue q on q.jobid = j.id order by j.id)
            union all select 'hangfire lock ' || l.resource || ' taken ' || l.acquired::time from hangfire.lock l
            union all (select 'session ' || a.pid || ' ' || coalesce(a.state, '-') || coalesce(' waiting on ' || a.wait_event_type || ':' || a.wait_event, '')
                || coalesce(' blocked by ' || nullif(pg_blocking_pids(a.pid)::text, '{}'), '') || coalesce(' in a transaction for ' || (now() - a.xact_start)::text, '')
                || ': ' || left(regexp_replace(a.query, '\s+', ' ', 'g'), 300)
              from pg_stat_activity a where a.datname = current_database() and a.pid <> pg_backend_pid() and a.state <> 'idle' order by a.pid)
            """;
        try
        {
            var lines = await database.ListAsync(Sql, r => r.GetString(0));
            return $"database now ({DateTime.UtcNow:HH:mm:ss.fff} UTC):\n{string.Join('\n', lines.Select(l => l.Length > 600 ? l[..600] : l))}";
        }
        catch (NpgsqlException ex)
        {
            return $"the database could not be described: {ex.Message}";
        }
    }
}
