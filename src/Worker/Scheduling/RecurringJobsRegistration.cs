using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.Cleanup;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Worker.Jobs;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Scheduling;

/// <summary>
/// Registers the recurring jobs at start-up, from configuration: the poll tick's backstop, one schedule
/// per source, the remote cleanup when some source keeps its artefacts for a limited time, and removes
/// schedules no longer configured. A bad schedule fails start-up. Each source is recorded as configured from its first
/// start: the overdue alert measures from then a source that never runs (its schedule never fires on an instance
/// serving its queue), which would otherwise have no last success to report and never raise it (docs/alerting.md).
/// </summary>
internal sealed class RecurringJobsRegistration(
    IRecurringJobManager recurringJobs,
    JobStorage storage,
    IOptions<SourcesOptions> sources,
    IRunStore runs,
    IOptions<RemoteCleanupOptions> cleanup,
    RemoteCleaner cleaner,
    ServedQueues served,
    IOptions<Persistence.Jobs.JobStorageOptions> jobStorage,
    IEnumerable<BatchOrchestrator.Sandbox.SandboxOptions> inProcessSandbox,
    IServingInstances instances,
    TimeProvider time,
    ILogger<RecurringJobsRegistration> logger) : IHostedService
{
    private const string BackstopCron = "*/10 * * * *";

    /// <summary>
    /// Hangfire changes a recurring job under a lock row of its own. A process killed while its scheduler held one
    /// (milliseconds per pass, every few seconds) leaves the row until it is older than
    /// <c>Hangfire:Storage:DistributedLockTimeout</c>, and a restart within that time found it held and failed its
    /// start-up. The registration is idempotent, so it is tried again until the row has aged out, then fails.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await RefuseNamesChangedInCaseAsync(cancellationToken);
        var giveUpAt = time.GetUtcNow() + jobStorage.Value.DistributedLockTimeout + TimeSpan.FromSeconds(30);
        var warned = false;
        while (true)
        {
            try
            {
                Register();
                await runs.RecordConfiguredSourcesAsync([.. sources.Value.Sources.Select(s => s.Name)], cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is DistributedLockTimeoutException or Hangfire.PostgreSql.PostgreSqlDistributedLockException && time.GetUtcNow() < giveUpAt)
            {
                if (!warned)
                {
                    logger.LogWarning(
                        "Schedules not registered yet: a Hangfire lock is held, most likely left by a process that was killed ({Reason}); trying again until it is older than Hangfire:Storage:DistributedLockTimeout ({Timeout})",
                        ex.Message, jobStorage.Value.DistributedLockTimeout);
                    warned = true;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
            }
        }
    }

    private void Register()
    {
        // Ticks start when work is due (PollTicker); this schedule is only the backstop, should the question
        // "what is due" ever miss a concern of the tick. Every ten minutes costs nothing worth counting.
        recurringJobs.AddOrUpdate<PollBatchesJob>(
            RecurringJobIds.PollBatches,
            j => j.RunAsync(CancellationToken.None),
            BackstopCron,
            new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });

        // Remote hygiene runs only where some source asks for it: otherwise it would cost an idle query per tick.
        if (cleaner.Retentions().Count > 0)
        {
            recurringJobs.AddOrUpdate<CleanRemoteJob>(
                RecurringJobIds.CleanRemote,
                j => j.RunAsync(CancellationToken.None),
                PollingCron.FromInterval(cleanup.Value.Interval)!,
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        }
        else
        {
            recurringJobs.RemoveIfExists(RecurringJobIds.CleanRemote);
        }

        // This process's own server is not registered yet (it starts after this service): every live server is another process.
        var others = instances.LiveServerNames();
        if (others.Count > 0 && inProcessSandbox.Any())
        {
            logger.LogWarning(
                "{Count} other instances are running on this database ({Servers}), and this one has no LLAMA_CLOUD_API_KEY: each such instance has "
                + "its own in-process Sandbox, which knows none of the others' directories or batches, so a step one instance hands to another fails "
                + "and is retried until given up. Give every instance one standalone Sandbox (LLAMA_CLOUD_BASE_URL, src/Sandbox/README.md) or a key, or run one instance",
                others.Count, string.Join(", ", others));
        }

        if (!served.Serves(SourceOptions.DefaultQueue))
        {
            logger.LogWarning(
                "This instance does not serve the default queue (Hangfire:Server:Queues: {Queues}): polling, submitting and recording run only on instances that do; list default too unless another instance serves it",
                string.Join(", ", served.All));
        }

        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in sources.Value.Sources)
        {
            var id = RecurringJobIds.RunSource(source.Name);
            wanted.Add(id);
            var name = source.Name;
            recurringJobs.AddOrUpdate<RunSourceJob>(
                id,
                source.Queue,
                j => j.RunAsync(name, RunTrigger.Schedule, CancellationToken.None),
                source.Schedule,
                new RecurringJobOptions
                {
                    TimeZone = TimeZoneInfo.FindSystemTimeZoneById(source.TimeZone),
                    // After downtime a missed run happens once, not once per missed occurrence.
                    MisfireHandling = MisfireHandlingMode.Relaxed,
                });
            if (!served.Touches(source))
            {
                logger.LogInformation(
                    "Source {Source} runs on queue {Queue}, which this instance does not serve (Hangfire:Server:Queues): another instance must, or its runs wait",
                    source.Name, source.Queue);
            }

            if (source.Layout == RemoteLayout.RemoteOnly)
            {
                logger.LogInformation("Source {Source} batches remote directory {DirectoryId} on '{Schedule}' ({TimeZone}), queue {Queue}", source.Name, source.RemoteDirectoryId, source.Schedule, source.TimeZone, source.Queue);
            }
            else
            {
                logger.LogInformation("Source {Source} scans {Path} on '{Schedule}' ({TimeZone}), queue {Queue}", source.Name, source.Path, source.Schedule, source.TimeZone, source.Queue);
            }
        }

        using var connection = storage.GetConnection();
        var stale = connection.GetRecurringJobs()
            .Where(j => j.Id.StartsWith(RecurringJobIds.SourcePrefix, StringComparison.Ordinal) && !wanted.Contains(j.Id))
            .Select(j => (j.Id, Source: j.Job?.Args is [string name, ..] ? name : "<old name>")) // the Name as configured: the id is lower-cased
            .ToList();
        if (stale.Count == 0)
        {
            return;
        }

        // Schedules are shared by every instance on the database. One started with an older or partial configuration
        // must not switch off another instance's source for all of them: while another instance is alive, a schedule
        // this one does not know is left to the instances that may, with a warning.
        foreach (var (id, source) in stale)
        {
            if (others.Count > 0)
            {
                logger.LogWarning(
                    "Schedule {RecurringJobId} names a source this instance is not configured with; {Count} other instances are running ({Servers}) and may be, so it is left in place. "
                    + "Keep one Sources configuration on every instance: this one skips that source's runs when it picks them up. The schedule is removed once an instance without the source starts alone",
                    id, others.Count, string.Join(", ", others));
                continue;
            }

            recurringJobs.RemoveIfExists(id);
            // A source is its Name: everything on record (file versions, copies, results) belongs to it. A source
            // renamed looks the same from here as one removed, and under its new name it knows none of its files.
            logger.LogWarning(
                "Removed schedule {RecurringJobId}: its source is no longer configured. What it processed stays on record under its old Name; a source of "
                + "another Name, even over the same folder, knows none of it and sends and bills each of its files again. If it was renamed, run "
                + "'rename-source {Source:l} <new name>' before the new one runs, so that it takes up this record, or give it back its old Name "
                + "(docs/sources.md, \"A source is its Name\")",
                id, source);
        }
    }

    /// <summary>
    /// A source whose Name now differs only in case from the one its record is under (<c>docs</c> written <c>Docs</c>)
    /// stops start-up: the schedule's id is lower-cased, so the removed-schedule warning below never says it, and the
    /// source would know none of its files and send and bill each again.
    /// </summary>
    private async Task RefuseNamesChangedInCaseAsync(CancellationToken cancellationToken)
    {
        var configured = sources.Value.Sources.Select(s => s.Name).ToList();
        var renamed = await runs.RecordsUnderAnotherCaseAsync(configured, cancellationToken);
        if (renamed.Count > 0)
        {
            throw new OptionsValidationException("Sources", typeof(SourcesOptions), [.. renamed.Select(r =>
                $"Sources:{configured.IndexOf(r.Key)}:Name: '{r.Key}' differs only in case from '{r.Value}', whose record is in the database: names are case-sensitive, "
                + $"so '{r.Key}' would know none of its files and send and bill each again; run 'rename-source {r.Value} {r.Key}' first, or write '{r.Value}'")]);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
