using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Core.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// Checks the "FollowUp" section and every sink name a source asks for against the sinks registered.
/// Source sink names are read from configuration directly, so a bad source setting is reported here
/// by its key without tying this validation to the Sources section's own. Also that no source's results are
/// written where a source scans them.
/// </summary>
internal sealed class FollowUpOptionsValidator(
    IEnumerable<IFollowUpSink> sinks,
    IConfiguration configuration,
    IOptions<SourcesOptions>? sources = null,
    IOptions<FileSystemSinkOptions>? fileSystem = null,
    IHostEnvironment? environment = null) : OptionsValidator<FollowUpOptions>
{
    protected override void Check(FollowUpOptions options, List<string> failures)
    {
        var known = sinks.Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var knownList = string.Join(", ", known.Order(StringComparer.Ordinal));
        for (var i = 0; i < options.Sinks.Count; i++)
        {
            if (!known.Contains(options.Sinks[i]))
            {
                failures.Add($"FollowUp:Sinks:{i}: '{options.Sinks[i]}' is not a registered sink ({knownList})");
            }
        }

        foreach (var source in configuration.GetSection("Sources").GetChildren())
        {
            foreach (var sink in source.GetSection("FollowUpSinks").GetChildren())
            {
                if (!known.Contains(sink.Value ?? ""))
                {
                    failures.Add($"Sources:{source.Key}:FollowUpSinks:{sink.Key}: '{sink.Value}' is not a registered sink ({knownList})");
                }
            }
        }

        failures.AddUnlessBetween("FollowUp:MaxConcurrency", options.MaxConcurrency, 1, 64);
        failures.AddUnlessBetween("FollowUp:StatusPageSize", options.StatusPageSize, 1, 1_000);
        failures.AddUnlessBetween("FollowUp:ChunkSize", options.ChunkSize, 1, 1_000);

        if (options.RecheckDelay <= TimeSpan.Zero)
        {
            failures.Add("FollowUp:RecheckDelay: must be positive");
        }

        if (options.MaxRecheckDelay < options.RecheckDelay)
        {
            failures.Add("FollowUp:MaxRecheckDelay: must not be shorter than FollowUp:RecheckDelay");
        }

        failures.AddUnlessBetween("FollowUp:MaxAttempts", options.MaxAttempts, 1, 100);
        failures.AddUnlessWithin("FollowUp:SinkRetryDelay", options.SinkRetryDelay, TimeSpan.Zero, TimeSpan.FromHours(1), "0 to 1 hour");
        failures.AddUnlessWithin("FollowUp:HoldFor", options.HoldFor, TimeSpan.Zero, TimeSpan.FromMinutes(10), "0 to 10 minutes");
        failures.AddUnlessWithin("FollowUp:HoldAtMost", options.HoldAtMost, TimeSpan.Zero, TimeSpan.FromMinutes(30), "0 to 30 minutes");
        failures.AddUnlessWithin("FollowUp:HeldLeaseWait", options.HeldLeaseWait, TimeSpan.Zero, TimeSpan.FromMinutes(1), "0 to 1 minute");
        failures.AddUnlessBetween("FollowUp:LateBillLooks", options.LateBillLooks, 0, 20);
        failures.AddUnlessWithin("FollowUp:LateBillWindow", options.LateBillWindow, TimeSpan.FromSeconds(1), TimeSpan.FromDays(7), "1 second to 7 days");
        failures.AddUnlessBetween("FollowUp:MaxHolding", options.MaxHolding, 0, 1_000);
        CheckResultsAreNotScanned(options, failures);
        CheckEachSourceHasItsOwnResultsFolder(options, failures);
    }

    /// <summary>
    /// No two sources' results in one folder, or one's in the other's: each mirrors its own tree there, so a name both
    /// trees hold (<c>report.pdf</c> at the top of both, or a folder named as the inner source) gets one result file,
    /// the last written, while both files are recorded as delivered.
    /// </summary>
    private void CheckEachSourceHasItsOwnResultsFolder(FollowUpOptions options, List<string> failures)
    {
        if (!options.Enabled || sources?.ValueIfValid()?.Sources is not { } list || fileSystem?.ValueIfValid() is not { } sink || environment is null)
        {
            return;
        }

        var roots = new List<(int Index, string Name, string Root)>();
        for (var i = 0; i < list.Count; i++)
        {
            if (!options.SinksFor(list[i]).Contains(FollowUpOptions.FileSystemSink, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var root = Path.TrimEndingDirectorySeparator(FileSystemSink.RootOf(list[i], sink.OutputPath, environment.ContentRootPath));
            string KeyOf(int index) => string.IsNullOrWhiteSpace(list[index].OutputPath) ? "FollowUp:OutputPath" : $"Sources:{index}:OutputPath";
            foreach (var (index, name, other) in roots)
            {
                var where = root == other ? "where" : Within(root, other) ? "inside the folder where" : Within(other, root) ? "around the folder where" : null;
                if (where is not null)
                {
                    failures.Add(
                        $"{KeyOf(i)}: source {list[i].Name}'s results would be written to '{root}', {where} source {name}'s are ('{other}', {KeyOf(index)}): " +
                        "a file of one would overwrite the other's result of the same name; give each source a folder of its own");
                }
            }

            roots.Add((i, list[i].Name, root));
        }
    }

    /// <summary>
    /// Where the paths as written do not nest, a link may still put <paramref name="root"/> inside <paramref name="folder"/>
    /// (a source's Path that is a link to the share the results go to, or a results folder that is a link into the source):
    /// both are compared with their links resolved (the results' nearest folder that exists, and the folders the sink would
    /// make below it). The path from the source's folder to the root as the scan sees it, or null when it is not inside.
    /// </summary>
    private static string? ReachedThroughALink(string folder, string root)
    {
        var existing = root;
        var created = new List<string>();
        while (!Directory.Exists(existing))
        {
            created.Insert(0, Path.GetFileName(existing));
            existing = Path.GetDirectoryName(existing);
            if (existing is null)
            {
                return null;
            }
        }

        if (RealPath.Of(folder) is not { } scanned || RealPath.Of(existing) is not { } reached)
        {
            return null;
        }

        var relative = Path.GetRelativePath(scanned, reached);
        if (LeadsOut(relative))
        {
            return null;
        }

        return relative == "." && created.Count > 0 ? Path.Join([.. created]) : Path.Join([relative, .. created]);
    }

    private static bool LeadsOut(string relative) =>
        relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative);

    private static bool Within(string path, string folder) =>
        path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal) || folder == Path.GetPathRoot(folder);

    /// <summary>
    /// No source's results may be written where a source scans them: they would come back as new files, be sent and
    /// billed, and their results written there in turn, without end.
    /// </summary>
    private void CheckResultsAreNotScanned(FollowUpOptions options, List<string> failures)
    {
        if (!options.Enabled || sources?.ValueIfValid()?.Sources is not { } list || fileSystem?.ValueIfValid() is not { } sink || environment is null)
        {
            return; // their own validators name what is wrong there
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (!options.SinksFor(list[i]).Contains(FollowUpOptions.FileSystemSink, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var root = FileSystemSink.RootOf(list[i], sink.OutputPath, environment.ContentRootPath);
            var key = string.IsNullOrWhiteSpace(list[i].OutputPath) ? "FollowUp:OutputPath" : $"Sources:{i}:OutputPath";
            for (var j = 0; j < list.Count; j++)
            {
                if (ScannedAt(list[j], root) is { } path)
                {
                    failures.Add(
                        $"{key}: source {list[i].Name}'s results would be written to '{root}', inside Sources:{j}:Path '{path}', which scans them as new files " +
                        $"(sent and billed, their results written there in turn); write them outside it, or exclude that folder with Sources:{j}:Exclude");
                }
            }
        }
    }

    /// <summary>The source's folder, when a result written under <paramref name="root"/> would be taken by its scan.</summary>
    private static string? ScannedAt(SourceOptions source, string root)
    {
        if (string.IsNullOrWhiteSpace(source.Path))
        {
            return null; // a RemoteOnly source has no folder
        }

        var folder = Path.GetFullPath(source.Path);
        var relative = Path.GetRelativePath(folder, root);
        if (LeadsOut(relative))
        {
            if (ReachedThroughALink(folder, root) is not { } linked)
            {
                return null;
            }

            relative = linked;
        }

        // The names a result gets (report.pdf gives report.pdf.md and report.pdf.json), as the scan would see them.
        var filter = GlobFilter.For(source);
        var below = relative == "." ? "" : relative.Replace(Path.DirectorySeparatorChar, '/') + "/";
        return filter.Matches(below + "report.pdf.md") || filter.Matches(below + "report.pdf.json") || filter.Matches(below + "a/report.pdf.json") ? folder : null;
    }
}
