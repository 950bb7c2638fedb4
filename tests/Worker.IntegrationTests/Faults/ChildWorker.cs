using BatchOrchestrator.TestSupport;

namespace BatchOrchestrator.Worker.IntegrationTests.Faults;

/// <summary>
/// The one child-process harness of the fault tests: the built Worker started with time-scaled settings
/// (leases, claims, polls, Hangfire's redelivery in seconds), waited on by condition, killed with SIGKILL or
/// stopped, and the global invariants checked at the end.
/// </summary>
internal static class ChildWorker
{
    public static readonly TimeSpan LeaseTimeToLive = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    public static Dictionary<string, string?> Settings(TestEnvironment env, string schedule = "*/2 * * * * *")
    {
        var settings = env.Settings();
        settings["Urls"] = "http://127.0.0.1:0";
        settings["Sources:0:Schedule"] = schedule;
        settings["Pipeline:MaxFilesPerBatch"] = "3";
        settings["Leases:TimeToLive"] = $"00:00:0{LeaseTimeToLive.Seconds}";
        settings["Polling:Interval"] = "00:00:01";
        settings["Polling:InitialDelay"] = "00:00:00.200";
        settings["Polling:MaxDelay"] = "00:00:01";
        settings["Polling:ClaimTimeout"] = "00:00:03";
        settings["Polling:StalledAfter"] = "00:00:06";
        settings["FollowUp:RecheckDelay"] = "00:00:00.500";
        settings["FollowUp:MaxRecheckDelay"] = "00:00:01";
        settings["LlamaCloud:FirstRetryDelay"] = "00:00:00.050";
        settings["LlamaCloud:MaxRetryDelay"] = "00:00:00.200";
        settings["Hangfire:Server:SchedulePollingInterval"] = "00:00:01";
        settings["Hangfire:Storage:QueuePollInterval"] = "00:00:00.500";
        // A job of a killed process is handed out again after this; a live one keeps extending it.
        settings["Hangfire:Storage:InvisibilityTimeout"] = "00:00:05";
        // Killed while its schedulers held a Hangfire lock, a process leaves the lock row behind.
        settings["Hangfire:Storage:DistributedLockTimeout"] = "00:00:05";
        settings["Serilog:MinimumLevel:Default"] = "Warning";
        return settings;
    }

    /// <summary>Waits for <paramref name="waiting"/>, and on a timeout adds the worker's last lines to the message.</summary>
    public static async Task WithOutputAsync(WorkerProcess worker, Func<Task> waiting)
    {
        try
        {
            await waiting();
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + Environment.NewLine + string.Join(Environment.NewLine, worker.Output.Concat(worker.Errors).TakeLast(40)), ex);
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
