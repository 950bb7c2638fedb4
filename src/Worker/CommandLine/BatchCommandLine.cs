using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using BatchOrchestrator.Worker.Dashboard;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>
/// The command line of the one executable: <c>run</c> (the default), <c>scan</c>, <c>status</c>,
/// <c>retry</c>, <c>reprocess</c>, <c>cancel</c>, <c>plan</c>, <c>costs</c>, <c>approve</c>, <c>rename-source</c>, <c>migrate</c> and <c>config check</c>. Parsing only decides the verb and
/// hands it to the host as configuration ("Verb:…"); the settings on the line (<c>--Section:Key=value</c>)
/// stay configuration, wherever they stand. Help, usage errors (exit 2) and <c>config hash-secret</c> end
/// here, with no host.
/// </summary>
internal static class BatchCommandLine
{
    /// <summary>The host's arguments, or the exit code when parsing alone finished the job.</summary>
    public sealed record Parsed(string[] HostArguments, int? ExitCode);

    public static Parsed Parse(string[] args, TextReader? input = null, TextWriter? output = null, TextWriter? error = null)
    {
        string[]? verb = null;
        var named = new List<string>(); // further "Verb:…" settings of the chosen verb
        var source = new Argument<string>("source") { Description = "The source's name, as in Sources:N:Name", CustomParser = SourceName };
        var runId = new Argument<long>("run-id") { Description = "The run's id, as 'status' lists it", CustomParser = Id };
        var batchId = new Argument<long>("batch-id") { Description = "The batch's id, as 'status' lists it", CustomParser = Id };
        var failed = new Option<bool>("--failed") { Description = "Put the source's failed files back in the queue first" };
        var permanent = new Option<bool>("--permanent") { Description = "With --failed: permanent failures too (an unsupported type, a corrupt file), once you fixed the file" };
        var unconfirmed = new Option<long?>("--unconfirmed")
        {
            Description = "With --failed: the files of this batch, which LlamaCloud may have created (whether it did could not be checked), once you looked for it there: sent again, they are paid again",
            HelpName = "batch-id",
            CustomParser = r => Id(r),
        };

        var run = new Command("run", "Run the service: schedules, watchers, jobs, dashboard (the default)");
        run.SetAction(_ => verb = [Verbs.Run]);
        var scan = new Command("scan", "Scan a source now and plan its batches (the running service uploads them)") { source };
        scan.SetAction(r => verb = [Verbs.Scan, r.GetValue(source)!]);
        var status = new Command("status", "Print sources, recent runs and open batches");
        status.SetAction(_ => verb = [Verbs.Status]);
        var retry = new Command("retry", "Start a run of a source now; with --failed, retry its failed files too") { source, failed, permanent, unconfirmed };
        retry.Validators.Add(r =>
        {
            foreach (var (given, name) in new[] { (r.GetValue(permanent), "--permanent"), (r.GetResult(unconfirmed) is not null, "--unconfirmed <batch-id>") })
            {
                if (given && !r.GetValue(failed))
                {
                    r.AddError($"{name} only goes with --failed: retry <source> --failed {name}");
                }
            }
        });
        retry.SetAction(r =>
        {
            verb = r.GetValue(permanent)
                ? [Verbs.Retry, r.GetValue(source)!, r.GetValue(failed) ? "true" : "false", "true"]
                : [Verbs.Retry, r.GetValue(source)!, r.GetValue(failed) ? "true" : "false"];
            if (r.GetValue(unconfirmed) is { } batch)
            {
                named.Add(string.Create(CultureInfo.InvariantCulture, $"--{VerbOptions.SectionName}:{nameof(VerbOptions.UnconfirmedBatch)}={batch}"));
            }
        });
        var filter = new Option<string?>("--filter") { Description = "Only paths matching this glob (relative to the source, as in Include), e.g. 'invoices/**/*.pdf'" };
        var before = new Option<string?>("--before") { Description = "Only files whose batch ended before this date (2026-05-01, UTC) or time (2026-05-01T18:00:00+02:00)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only say how many files would be sent again, and why others would not" };
        var reprocess = new Command("reprocess", "Send again the files a source processed under an older job type, configuration id or v1_parse tier (they are paid again)") { source, filter, before, dryRun };
        reprocess.SetAction(r =>
        {
            verb = [Verbs.Reprocess, r.GetValue(source)!];
            named.Add($"--{VerbOptions.SectionName}:{nameof(VerbOptions.DryRun)}={(r.GetValue(dryRun) ? "true" : "false")}");
            if (r.GetValue(filter) is { } glob)
            {
                named.Add($"--{VerbOptions.SectionName}:{nameof(VerbOptions.Filter)}={glob}");
            }

            if (r.GetValue(before) is { } date)
            {
                named.Add($"--{VerbOptions.SectionName}:{nameof(VerbOptions.Before)}={date}");
            }
        });
        var cancelRun = new Command("run", "Cancel every batch of a run that has not ended") { runId };
        cancelRun.SetAction(r => verb = [Verbs.CancelRun, r.GetValue(runId).ToString(CultureInfo.InvariantCulture)]);
        var cancelBatch = new Command("batch", "Cancel one batch (LlamaCloud is asked to stop it if it got there)") { batchId };
        cancelBatch.SetAction(r => verb = [Verbs.CancelBatch, r.GetValue(batchId).ToString(CultureInfo.InvariantCulture)]);
        var cancelJobs = new Command("jobs", "Cancel a batch's jobs the watchdog found stuck, so that their files are sent again") { batchId };
        cancelJobs.SetAction(r => verb = [Verbs.CancelJobs, r.GetValue(batchId).ToString(CultureInfo.InvariantCulture)]);
        var cancel = new Command("cancel", "Cancel a run, a batch, or a batch's stuck jobs") { cancelRun, cancelBatch, cancelJobs };
        var plan = new Command("plan", "Show what the next run of a source would send and cost, changing nothing") { source };
        plan.SetAction(r => verb = [Verbs.Plan, r.GetValue(source)!]);
        var costs = new Command("costs", "Print credits estimated and billed per source and day, the dearest files, drift and held files");
        costs.SetAction(_ => verb = [Verbs.Costs]);
        var approve = new Command("approve", "Let the files a run held under a spending cap go on past the caps") { runId };
        approve.SetAction(r => verb = [Verbs.Approve, r.GetValue(runId).ToString(CultureInfo.InvariantCulture)]);
        var oldName = new Argument<string>("old") { Description = "The name the source's record has now", CustomParser = SourceName };
        var newName = new Argument<string>("new") { Description = "The name it takes, as Sources:N:Name gives it", CustomParser = SourceName };
        var renameDryRun = new Option<bool>("--dry-run") { Description = "Only say what would move, per table, changing nothing" };
        var rename = new Command("rename-source", "Give a source's whole record to a new Name, so that nothing it processed is sent or billed again under it") { oldName, newName, renameDryRun };
        rename.SetAction(r =>
        {
            verb = [Verbs.RenameSource, r.GetValue(oldName)!];
            named.Add($"--{VerbOptions.SectionName}:{nameof(VerbOptions.NewName)}={r.GetValue(newName)}");
            named.Add($"--{VerbOptions.SectionName}:{nameof(VerbOptions.DryRun)}={(r.GetValue(renameDryRun) ? "true" : "false")}");
        });
        var migrate = new Command("migrate", "Bring the database schema up to date and exit");
        migrate.SetAction(_ => verb = [Verbs.Migrate]);
        var check = new Command("check", "Validate the configuration; exit 1 listing every problem");
        check.SetAction(_ => verb = [Verbs.ConfigCheck]);
        var hash = new Command("hash-secret", "Read a password or token on standard input; print the hash for Dashboard:Users or Dashboard:Tokens");
        hash.SetAction(_ => HashSecret(input ?? Console.In, output ?? Console.Out, error ?? Console.Error));
        var config = new Command("config", "Check the configuration, or hash a dashboard secret") { check, hash };

        var root = new RootCommand("BatchOrchestrator: folders of documents to LlamaCloud batches, with exact account of every file. "
            + "Any --Section:Key=value (or --Section:Key value) on the line is configuration, e.g. --Sources:0:Path=/data/in.")
        {
            run, scan, status, retry, reprocess, cancel, plan, costs, approve, rename, migrate, config,
        };
        root.SetAction(_ => verb = [Verbs.Run]);

        // The settings come off first, so what is left is the verb's alone, and anything it does not know
        // is an error: a mistyped verb or option must not quietly start the service or a plain run.
        var line = CommandLineSettings.Of(args, OptionNames(root, _ => true), OptionNames(root, o => o.Arity.MinimumNumberOfValues > 0));
        var result = root.Parse(line.Words);
        if (UsageError.Of(result, line) is { } problem)
        {
            UsageError.Write(root, result, problem, error ?? Console.Error);
            return new Parsed([], UsageError.ExitCode);
        }

        var exitCode = result.Invoke(new InvocationConfiguration { Output = output ?? Console.Out, Error = error ?? Console.Error });
        if (verb is null)
        {
            return new Parsed([], exitCode);
        }

        var host = new List<string> { $"--{VerbOptions.SectionName}:{nameof(VerbOptions.Name)}={verb[0]}" };
        if (verb.Length > 1)
        {
            host.Add($"--{VerbOptions.SectionName}:{nameof(VerbOptions.Target)}={verb[1]}");
        }

        if (verb.Length > 2)
        {
            host.Add($"--{VerbOptions.SectionName}:{nameof(VerbOptions.Failed)}={verb[2]}");
        }

        if (verb.Length > 3)
        {
            host.Add($"--{VerbOptions.SectionName}:{nameof(VerbOptions.IncludePermanent)}={verb[3]}");
        }

        host.AddRange(named);
        if (verb[0] != Verbs.Run)
        {
            // Before the user's own settings, so they can still turn logging up: a verb's output is its answer.
            host.Add("--Serilog:MinimumLevel:Default=Warning");
            host.Add("--Serilog:MinimumLevel:Override:Hangfire=Warning"); // appsettings.json raises Hangfire to Information for the service
            // Beside a running service on the embedded database: share its server and never stop it.
            host.Add("--Database:Embedded:StopIfFoundRunning=false");
        }

        host.AddRange(line.Settings);
        return new Parsed([.. host], null);
    }

    /// <summary>A source's name; an empty one (an unset variable in a script: retry "$SOURCE") is a missing one.</summary>
    private static string SourceName(ArgumentResult argument)
    {
        var token = argument.Tokens[0].Value; // arity one: System.CommandLine reports a missing name itself
        if (string.IsNullOrWhiteSpace(token))
        {
            argument.AddError($"<{argument.Argument.Name}> is empty");
        }

        return token;
    }

    /// <summary>A run's or batch's id: a whole number from 1, as PostgreSQL's identity columns count.</summary>
    private static long Id(ArgumentResult argument)
    {
        var token = argument.Tokens[0].Value; // arity one: System.CommandLine reports a missing id itself
        var name = argument.Argument.HelpName ?? argument.Argument.Name; // an option's value is named by its HelpName
        if (!long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id))
        {
            argument.AddError($"<{name}> must be a whole number, got '{UsageError.Shown(token)}'");
        }
        else if (id < 1)
        {
            argument.AddError($"<{name}> must be 1 or more, got '{token}'");
        }

        return id;
    }

    /// <summary>The names and aliases of every verb's options (--failed, --filter, --help, -h …) that match.</summary>
    private static HashSet<string> OptionNames(Command command, Func<Option, bool> match) =>
    [
        .. command.Options.Where(match).SelectMany(o => o.Aliases.Prepend(o.Name)),
        .. command.Subcommands.SelectMany(c => OptionNames(c, match)),
    ];

    private static int HashSecret(TextReader input, TextWriter output, TextWriter error)
    {
        var secret = input.ReadLine()?.TrimEnd('\r');
        if (string.IsNullOrEmpty(secret))
        {
            error.WriteLine("Give the password or token on standard input, e.g.: read -rs S; echo \"$S\" | BatchOrchestrator.Worker config hash-secret");
            return 2;
        }

        output.WriteLine(SecretHash.Create(secret));
        return 0;
    }
}
