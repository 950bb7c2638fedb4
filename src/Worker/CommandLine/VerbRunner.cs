using System.Globalization;
using BatchOrchestrator.Core.Operations;
using BatchOrchestrator.Core.Retries;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence.Migrations;
using BatchOrchestrator.Persistence.Monitoring;
using BatchOrchestrator.Worker.Dashboard;
using BatchOrchestrator.Worker.Pauses;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>
/// Runs one verb once the database is up and migrated (hosted services start in order), writes its
/// answer, records the exit code and stops the host. The verbs only read, or ask Core's operator
/// commands, exactly as the dashboard's buttons do.
/// </summary>
internal sealed class VerbRunner(
    IOptions<VerbOptions> verb,
    IServiceProvider services,
    VerbConsole console,
    VerbExit exit,
    IHostApplicationLifetime lifetime,
    ILogger<VerbRunner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            exit.Code = await RunAsync(verb.Value, stoppingToken);
        }
        catch (ArgumentException ex)
        {
            // What the operator typed cannot be done (a bad combination of options, an id that names no run or
            // batch: UnknownId): one line naming the verb, as the command line's own usage errors.
            await console.Error.WriteLineAsync(UsageLine(verb.Value, ex.Message));
            exit.Code = UsageError.ExitCode;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped midway (`timeout 30m … scan docs`, Ctrl-C): a script chained with && must not take it for done.
            // What the verb did before stands, each step of it committed or not begun.
            await console.Error.WriteLineAsync($"{verb.Value.Name}: stopped before it finished; what it did so far stands, run it again to finish");
            exit.Code = VerbExit.Interrupted;
        }
        catch (Exception ex)
        {
            // A cancellation not the stop's (a call's own timeout) is a failure like any other.
            logger.LogError(ex, "{Verb} failed: {Reason}", verb.Value.Name, ex.Message);
            exit.Code = 1;
        }
        finally
        {
            await console.Out.FlushAsync(CancellationToken.None);
            lifetime.StopApplication();
        }
    }

    private Task<int> RunAsync(VerbOptions options, CancellationToken cancellationToken) => options.Name switch
    {
        Verbs.Status => StatusAsync(cancellationToken),
        Verbs.Scan => ScanAsync(Target(options), cancellationToken),
        Verbs.Retry => RetryAsync(Target(options), options.Failed, Forced(options), cancellationToken),
        Verbs.Reprocess => ReprocessVerb.RunAsync(services, console, Target(options), options, cancellationToken),
        Verbs.CancelRun => CancelRunAsync(Id(options), cancellationToken),
        Verbs.CancelBatch => CancelBatchAsync(Id(options), cancellationToken),
        Verbs.CancelJobs => CancelJobsAsync(options, Id(options), cancellationToken),
        Verbs.Migrate => MigrateAsync(cancellationToken),
        Verbs.Plan => CostVerbs.PlanAsync(services, console, Target(options), cancellationToken),
        Verbs.Costs => CostVerbs.CostsAsync(services, console, cancellationToken),
        Verbs.Approve => CostVerbs.ApproveAsync(services, console, Id(options), cancellationToken),
        Verbs.RenameSource => RenameSourceVerb.RunAsync(services, console, Target(options), options, cancellationToken),
        _ => throw new ArgumentException($"Unknown verb '{options.Name}'"),
    };

    private const int OpenBatchesInStatus = 50;

    private async Task<int> StatusAsync(CancellationToken cancellationToken)
    {
        var queries = services.GetRequiredService<OpsQueries>();
        var configured = services.GetRequiredService<IOptions<SourcesOptions>>().Value.Sources;
        var sources = configured.Select(s => (s.Name, ConfigurationFingerprint.Of(s))).ToList();
        VerbTable.Write(console, PauseTable.Heading, await PauseTable.ReadAsync(services, cancellationToken), PauseTable.Empty);
        // Then what the overview puts first: what needs a person, and here the command that acts on each.
        var attention = await services.GetRequiredService<AttentionQueries>().NeedsAPersonAsync(
            [.. configured.Select(s => (s.Name, ConfigurationFingerprint.Of(s), s.MaxAttempts))], OverviewPages.RecentWebhooks, cancellationToken);
        var dashboard = services.GetRequiredService<IOptions<OpsDashboardOptions>>().Value.Path.TrimEnd('/');
        VerbTable.Write(console, "Needs a person", AttentionCatalogue.AsTable(attention, dashboard), "nothing needs a person", AttentionCatalogue.Sentence);
        VerbTable.Write(console, "Sources", await queries.SourcesAsync(sources, cancellationToken), "no sources configured");
        // Runs that found nothing new are left out: each source's last run, whatever it found, is in the Sources table.
        VerbTable.Write(console, "Recent runs with changes (each source's last run is under Sources)", await queries.RunsAsync(null, UnknownId.RunsInStatus, cancellationToken, withChangesOnly: true), "no runs with changes yet");
        // A backfill may keep hundreds open: the newest are listed, and the heading says when there are more.
        var open = await queries.BatchesAsync(null, null, openOnly: true, OpenBatchesInStatus + 1, cancellationToken);
        VerbTable.Write(
            console,
            open.Rows.Count > OpenBatchesInStatus ? $"Open batches (the newest {OpenBatchesInStatus}; more at {dashboard}/ops/batches?open=1)" : "Open batches",
            open.Take(OpenBatchesInStatus).WithoutEmpty(OpsQueries.BatchesHiddenWhileEmpty),
            "none");
        VerbTable.Write(console, "Held by a spending cap ('approve <run>' lets them go on)", await services.GetRequiredService<CostQueries>().HeldAsync([.. configured.Select(s => s.Name)], cancellationToken), "none");
        return 0;
    }

    private async Task<int> ScanAsync(string source, CancellationToken cancellationToken)
    {
        RequireSource(source);
        var remoteOnly = services.GetRequiredService<IOptions<SourcesOptions>>().Value.Find(source) is { Layout: RemoteLayout.RemoteOnly };
        var runner = services.GetRequiredService<SourceRunner>();
        var work = runner.RunAsync(source, RunTrigger.Manual, cancellationToken);
        if (!remoteOnly)
        {
            await services.GetRequiredService<ScanProgressDisplay>().ShowUntilAsync(work, cancellationToken); // a RemoteOnly source has no folder to walk
        }

        await work;

        var runs = await services.GetRequiredService<OpsQueries>().RunsAsync(source, 1, cancellationToken);
        if (runs.Rows.Count == 0 || runs.Value(runs.Rows[0], "State") is "Scanning")
        {
            await console.Out.WriteLineAsync($"A run of {source} was already in progress; this scan is queued right behind it.");
            return 0;
        }

        VerbTable.Write(console, "Run", runs, "none");
        var state = runs.Value(runs.Rows[0], "State") as string;
        if (state is "Failed")
        {
            // A failure goes where usage errors go (stderr), whole: the table's Error cell may be cut short or sent elsewhere.
            await console.Error.WriteLineAsync(UsageLine(verb.Value, string.Create(
                CultureInfo.InvariantCulture,
                $"run {runs.Value(runs.Rows[0], "Run")} of {source} failed: {runs.Value(runs.Rows[0], "Error")} ('retry {source}' runs it again once that is put right)")));
            return 1;
        }

        var held = Convert.ToInt64(runs.Value(runs.Rows[0], "Held") ?? 0L, CultureInfo.InvariantCulture);
        await console.Out.WriteLineAsync(state switch
        {
            "NoChanges" when held > 0 => $"It planned no batch: a spending cap holds {held} of its files ('status' says why and when they go on; 'approve {runs.Value(runs.Rows[0], "Run")}' sends them now).",
            "NoChanges" when remoteOnly => "It planned no batch: the remote directory holds no file, or the same files its latest batch completed over (the log says which).",
            "NoChanges" => "It planned no batch: nothing was new or changed, or not settled yet (a file is taken once unchanged for the source's SettleWindow).",
            "Completed" => "Its batches have all ended already (cancelled while it scanned, or none of their files could be sent): 'status' shows them.",
            _ => "Its batches are queued: a running service uploads and submits them ('status' shows them).",
        });
        return 0;
    }

    private static ForcedRetry Forced(VerbOptions options) => new(options.IncludePermanent, options.UnconfirmedBatch);

    private async Task<int> RetryAsync(string source, bool failed, ForcedRetry forced, CancellationToken cancellationToken)
    {
        var commands = services.GetRequiredService<OperatorCommands>();
        if (forced != ForcedRetry.None && !failed)
        {
            var option = forced.IncludePermanent ? "--permanent" : "--unconfirmed <batch-id>";
            throw new ArgumentException($"{option} only goes with --failed: retry <source> --failed {option}");
        }

        if (failed)
        {
            var count = await commands.RetryFailedAsync(source, forced, cancellationToken);
            await console.Out.WriteLineAsync(OperatorCommands.DescribeRetry(source, count, forced));
        }
        else
        {
            commands.StartRun(source);
            await console.Out.WriteLineAsync($"A run of {source} is queued.");
        }

        return 0;
    }

    private async Task<int> CancelRunAsync(long runId, CancellationToken cancellationToken)
    {
        var cancelled = await services.GetRequiredService<OperatorCommands>().CancelRunAsync(runId, cancellationToken);
        var outcomes = cancelled.Batches;
        if (cancelled.StillScanning)
        {
            await console.Out.WriteLineAsync(OperatorCommands.DescribeCancelWhileScanning(runId));
        }
        else if (outcomes.Count == 0)
        {
            if (!await services.GetRequiredService<OpsQueries>().RunExistsAsync(runId, cancellationToken))
            {
                throw UnknownId.Run(services, runId);
            }

            await console.Out.WriteLineAsync($"Run {runId} has no batch that has not ended.");
            return 0;
        }

        foreach (var (batchId, outcome) in outcomes)
        {
            await console.Out.WriteLineAsync($"batch {batchId}: {outcome}");
        }

        return 0;
    }

    private async Task<int> CancelBatchAsync(long batchId, CancellationToken cancellationToken)
    {
        var outcome = await services.GetRequiredService<OperatorCommands>().CancelBatchAsync(batchId, cancellationToken);
        if (outcome == CancelOutcome.NotFound)
        {
            throw UnknownId.Batch(services, batchId);
        }

        await console.Out.WriteLineAsync($"batch {batchId}: {outcome}"); // as cancel run says it
        return 0;
    }

    private async Task<int> CancelJobsAsync(VerbOptions options, long batchId, CancellationToken cancellationToken)
    {
        var outcome = await services.GetRequiredService<StuckJobCancelling>().CancelAsync(batchId, cancellationToken)
            ?? throw UnknownId.Batch(services, batchId);
        await console.Out.WriteLineAsync(StuckJobCancelling.Describe(batchId, outcome));
        foreach (var failure in outcome.Failed)
        {
            await console.Error.WriteLineAsync(UsageLine(options, $"not cancelled, run it again: {failure}"));
        }

        return outcome.Failed.Count == 0 ? 0 : 1;
    }

    private async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        // The migration service has run by now (it starts before any verb); this reports where it left the schema.
        var version = await services.GetRequiredService<Migrator>().CurrentVersionAsync(cancellationToken);
        await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Schema is at version {version} (this build's latest is {Migrator.LatestVersion}); Hangfire's schema is installed."));
        return version == Migrator.LatestVersion ? 0 : 1;
    }

    /// <summary>
    /// A usage error or a failure as every verb says it on stderr, before it starts or while it runs: the verb as
    /// typed, then the problem.
    /// </summary>
    public static string UsageLine(VerbOptions verb, string problem) => $"{verb.Name.Replace('-', ' ')}: {problem}";

    private void RequireSource(string source) => services.GetRequiredService<IOptions<SourcesOptions>>().Value.Require(source);

    private static string Target(VerbOptions options) =>
        string.IsNullOrWhiteSpace(options.Target) ? throw new ArgumentException("<source> is missing") : options.Target;

    private static long Id(VerbOptions options) =>
        long.TryParse(options.Target, CultureInfo.InvariantCulture, out var id) ? id : throw new ArgumentException($"<id> must be a whole number, got '{options.Target}'");
}
