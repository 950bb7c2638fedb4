namespace BatchOrchestrator.Worker.IntegrationTests.Support;

/// <summary>
/// The child-process harness of the kill and fault tests: the built Worker started with time-scaled settings
/// (leases, claims, polls, Hangfire's redelivery in seconds), waited on by condition, killed with SIGKILL or
/// stopped, and the global invariants checked at the end.
/// </summary>
internal static class ChildWorker
{
    public static readonly TimeSpan LeaseTimeToLive = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    /// <summary>
    /// What a process killed mid-step needs to be succeeded quickly: a two-second schedule, one-second polls,
    /// small batches, and leases, stalled steps and Hangfire's locks that lapse within seconds.
    /// </summary>
    public static Dictionary<string, string?> KillSettings(TestEnvironment env, string schedule = "*/2 * * * * *")
    {
        var settings = env.Settings();
        settings["Urls"] = "http://127.0.0.1:0";
        settings["Sources:0:Schedule"] = schedule;
        settings["Pipeline:MaxFilesPerBatch"] = "3";
        settings["Leases:TimeToLive"] = $"00:00:0{LeaseTimeToLive.Seconds}";
        settings["Polling:Interval"] = "00:00:01";
        settings["Polling:InitialDelay"] = "00:00:00.200";
        settings["Polling:MaxDelay"] = "00:00:01";
        // A step killed mid-way is handed out again after this; its lease has lapsed by then.
        settings["Polling:StalledAfter"] = "00:00:06";
        // A create a kill cut off is waited for this long before the next process creates again, not 10 minutes.
        settings["LlamaCloud:UnansweredCreateWait"] = "00:00:05";
        settings["Hangfire:Server:SchedulePollingInterval"] = "00:00:01";
        settings["Hangfire:Storage:QueuePollInterval"] = "00:00:00.500";
        // Killed while its schedulers held a Hangfire lock, a process leaves the lock row behind.
        settings["Hangfire:Storage:DistributedLockTimeout"] = "00:00:05";
        return settings;
    }

    /// <summary>The fault tests' settings: <see cref="KillSettings"/> with claims, follow-ups, retries and Hangfire's redelivery in seconds too.</summary>
    public static Dictionary<string, string?> Settings(TestEnvironment env, string schedule = "*/2 * * * * *")
    {
        var settings = KillSettings(env, schedule);
        settings["Polling:ClaimTimeout"] = "00:00:03";
        settings["FollowUp:RecheckDelay"] = "00:00:00.500";
        settings["FollowUp:MaxRecheckDelay"] = "00:00:01";
        settings["LlamaCloud:FirstRetryDelay"] = "00:00:00.050";
        settings["LlamaCloud:MaxRetryDelay"] = "00:00:00.200";
        // A job of a killed process is handed out again after this; a live one keeps extending it.
        settings["Hangfire:Storage:InvisibilityTimeout"] = "00:00:05";
        settings["Serilog:MinimumLevel:Default"] = "Warning";
        return settings;
    }

    /// <summary>Waits for <paramref name="waiting"/>, and on a timeout adds the worker's last lines and where the work stands.</summary>
    public static Task WithOutputAsync(TestEnvironment env, WorkerProcess worker, Func<Task> waiting) => WithOutputAsync(env, [worker], waiting());

    /// <summary>Waits for <paramref name="waiting"/>, and on a timeout adds each worker's last lines and where the work stands.</summary>
    public static async Task WithOutputAsync(TestEnvironment env, IReadOnlyList<WorkerProcess> workers, Task waiting)
    {
        try
        {
            await waiting;
        }
        catch (TimeoutException ex)
        {
            // The whole output goes to a file beside the test's folders; the message carries its tail.
            var log = Path.Combine(Path.GetTempPath(), $"bo-timeout-{Guid.NewGuid():N}.log");
            await File.WriteAllLinesAsync(log, workers.SelectMany(w => w.Output.Concat(w.Errors)));
            var output = workers.SelectMany(w => w.Output.Concat(w.Errors).TakeLast(40));
            throw new TimeoutException(
                ex.Message + Environment.NewLine + await WorkStateAsync(env) + Environment.NewLine + $"Whole output: {log}" + Environment.NewLine + string.Join(Environment.NewLine, output), ex);
        }
    }

    /// <summary>How many files, batches and results are in each state: what a timed-out wait was stuck on.</summary>
    private static async Task<string> WorkStateAsync(TestEnvironment env)
    {
        try
        {
            var rows = await env.Database.ListAsync(
                """
                select 'files ' || state || coalesce(' ' || error_class, ''), count(*) from orchestrator.file_version group by 1
                union all select 'batches ' || state || case when cancel_requested_at is null then '' else ' cancel requested' end, count(*) from orchestrator.batch group by 1
                union all select 'results ' || follow_up_state, count(*) from orchestrator.batch_result group by 1
                union all select 'batch ' || b.id || ' waits on follow-up, next look ' || coalesce(round(extract(epoch from b.follow_up_next_at - now()))::text || ' s', 'never')
                              || ', looks ' || b.follow_up_checks, count(*)
                          from orchestrator.batch b join orchestrator.batch_result r on r.batch_id = b.id and r.follow_up_state = 'Recorded' group by b.id
                union all select 'lease ' || name || ' ' || case when expires_at > now() then 'held' else 'lapsed' end, 1 from orchestrator.lease where expires_at > now() - interval '1 minute'
                union all select 'hangfire jobs ' || coalesce(statename, 'none'), count(*) from hangfire.job group by statename
                order by 1
                """,
                r => $"{r.GetString(0)}: {r.GetInt64(1)}");
            return "Work state: " + string.Join("; ", rows);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return "Work state unreadable: " + e.Message;
        }
    }

    public static Task<long> EndedWithJobAsync(TestEnvironment env) =>
        env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null");

    public static InvariantOptions Invariants(TestEnvironment env, int kills) =>
        new(TestSupport.Invariants.ParseJobLookup(env.Sandbox.BaseAddress, TestEnvironment.ApiKey), LeaseTimeToLive)
        {
            EligibleFiles = InvariantOptions.FilesIn(env.Inbox),
            CrashesThatMayHitAnUpload = kills,
            Quiet = true,
        };
}
