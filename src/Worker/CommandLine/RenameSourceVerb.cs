using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Core.Operations;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence.Monitoring;
using BatchOrchestrator.Worker.Scheduling;
using Hangfire;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>
/// <c>rename-source &lt;old&gt; &lt;new&gt; [--dry-run]</c>: gives the old name's whole record to the new one, so the
/// source configured under the new name takes it up (docs/sources.md, "A source is its Name"). Prints the rows per
/// table. Exit 0; 2 when no record has the old name; 1, nothing changed, when refused (the configuration still names
/// the old source, the new name has a record, a run, batch or follow-up of the old one is under way).
/// </summary>
internal static class RenameSourceVerb
{
    public static async Task<int> RunAsync(IServiceProvider services, VerbConsole console, string from, VerbOptions options, CancellationToken cancellationToken)
    {
        var to = string.IsNullOrWhiteSpace(options.NewName) ? throw new ArgumentException("<new> is missing") : options.NewName;
        var rename = await services.GetRequiredService<SourceRenaming>().RenameAsync(from, to, options.DryRun, cancellationToken);
        var table = new OpsTable(["Table", $"Rows of {from}", $"Rows of {to}"], [.. rename.Rows.Select(r => new object?[] { r.Table, r.FromRows, r.ToRows })]);
        VerbTable.Write(console, rename.Moved ? $"Moved from {from} to {to}" : $"Would move from {from} to {to}", table, "nothing");
        if (rename.RefusedBecause is { } refused)
        {
            await console.Error.WriteLineAsync(VerbRunner.UsageLine(options, $"nothing changed: {refused}"));
            return 1;
        }

        var sources = services.GetRequiredService<IOptions<SourcesOptions>>().Value;
        if (!rename.Moved)
        {
            await console.Out.WriteLineAsync("Dry run: nothing changed.");
            return 0;
        }

        // The old name's schedule would start runs of a source no longer configured (each skipped) until a start-up
        // removed it; the new name's is registered by the service's next start, from its configuration.
        if (RecurringJobIds.RunSource(from) != RecurringJobIds.RunSource(to))
        {
            services.GetRequiredService<IRecurringJobManager>().RemoveIfExists(RecurringJobIds.RunSource(from));
        }

        await console.Out.WriteLineAsync(sources.Find(to) is null
            ? $"{to} has the record of {from}. Nothing names {to} in Sources yet: give Sources:N:Name the value {to} (Path may stay or change), then start or restart the service."
            : $"{to} has the record of {from}: its next run sends only what is new or changed. Restart the running service, if any, so it schedules and watches {to}.");
        await console.Out.WriteLineAsync(Outputs(services, sources, from, to));
        return 0;
    }

    /// <summary>Where the file-system sink's results are: delivered ones are not moved, as a follow-up may be writing among them.</summary>
    private static string Outputs(IServiceProvider services, SourcesOptions sources, string from, string to)
    {
        var outputPath = services.GetRequiredService<IOptions<FileSystemSinkOptions>>().Value.OutputPath;
        var contentRoot = services.GetRequiredService<IHostEnvironment>().ContentRootPath;
        var before = FileSystemSink.RootOf(new SourceOptions { Name = from }, outputPath, contentRoot);
        var after = FileSystemSink.RootOf(sources.Find(to) ?? new SourceOptions { Name = to }, outputPath, contentRoot);
        return before == after
            ? $"Results delivered to files stay in {before}, where {to}'s go too."
            : $"Results delivered to files so far stay in {before} (unless {from} had an OutputPath of its own); {to}'s go to {after}. "
                + $"To keep them together, move the folder while the service is stopped: mv '{before}' '{after}'.";
    }
}
