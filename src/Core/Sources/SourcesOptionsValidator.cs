using System.Text.RegularExpressions;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// Collects every problem with the "Sources" configuration, each naming its key, so a bad value
/// stops start-up with one readable list (Quartz's options validators do the same).
/// </summary>
internal sealed partial class SourcesOptionsValidator(ServedQueues? served = null, SourceFolderAccess? access = null) : OptionsValidator<SourcesOptions>
{
    private readonly SourceFolderAccess folders = access ?? SourceFolderAccess.Read;

    protected override void Check(SourcesOptions options, List<string> failures)
    {
        // Case-insensitive: names become lower-case schedule ids and remote directory names.
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Sources.Count; i++)
        {
            var source = options.Sources[i];
            var key = $"Sources:{i}";
            if (!NamePattern().IsMatch(source.Name))
            {
                failures.Add($"{key}:Name: '{source.Name}' must be 1-40 letters, digits, '-' or '_'");
            }
            else if (!seen.Add(source.Name))
            {
                failures.Add($"{key}:Name: '{source.Name}' is used by another source");
            }

            if (source.Layout == RemoteLayout.RemoteOnly)
            {
                if (source.RemoteDirectoryId is null || !source.RemoteDirectoryId.StartsWith("dir-", StringComparison.Ordinal) || source.RemoteDirectoryId.Length < 5)
                {
                    failures.Add($"{key}:RemoteDirectoryId: '{source.RemoteDirectoryId}' must be an existing remote directory id (dir-…) when Layout is RemoteOnly");
                }

                if (!string.IsNullOrWhiteSpace(source.Path))
                {
                    failures.Add($"{key}:Path: must be empty when Layout is RemoteOnly (the files are already remote)");
                }
            }
            else
            {
                if (!string.IsNullOrWhiteSpace(source.RemoteDirectoryId))
                {
                    failures.Add($"{key}:RemoteDirectoryId: is only for Layout RemoteOnly ({source.Layout} manages its own directories)");
                }

                if (string.IsNullOrWhiteSpace(source.Path))
                {
                    failures.Add($"{key}:Path: is required");
                }
                else if (folders.Checks && served?.Touches(source) != false && !Directory.Exists(source.Path))
                {
                    var path = System.IO.Path.GetFullPath(source.Path);
                    if (File.Exists(source.Path))
                    {
                        failures.Add($"{key}:Path: '{path}' is a file, not a folder");
                    }
                    else if (!source.CreateIfMissing)
                    {
                        failures.Add($"{key}:Path: directory '{path}' does not exist");
                    }
                    else if (folders.Creates)
                    {
                        failures.Add($"{key}:Path: directory '{path}' does not exist, and CreateIfMissing could not create it");
                    }
                    else if (FolderCreation.WhyNot(path) is { } whyNot)
                    {
                        // Only checked, not created: what would stop the service creating it is said now, not at its start.
                        failures.Add($"{key}:Path: directory '{path}' does not exist, and CreateIfMissing could not create it: {whyNot}");
                    }

                    // Else only checked, not created: the service creates it when it starts.
                }
                else if (folders.Checks && served?.Touches(source) != false && FolderCreation.WhyNotReadable(source.Path) is { } unreadable)
                {
                    failures.Add($"{key}:Path: directory '{System.IO.Path.GetFullPath(source.Path)}' cannot be read by this user ({unreadable}); give the service's user read and search (r-x) permission on it");
                }
            }

            if (source.MaxFileBytes is <= 0)
            {
                failures.Add($"{key}:MaxFileBytes: {source.MaxFileBytes} must be positive (or empty for the API's limit)");
            }

            if (BatchJobTypes.Parse(source.JobType) is null)
            {
                failures.Add($"{key}:JobType: '{source.JobType}' must be parse_v2 or extract_v2 (v2 batches), or v1_parse or v1_classify (legacy v1 batch-processing)");
            }
            else if (source.JobType == BatchJobTypes.V1Classify && source.ClassifyRules.Count == 0)
            {
                failures.Add($"{key}:ClassifyRules: v1_classify needs at least one rule (Type and Description)");
            }

            failures.AddRange(V1SourceChecks.Validate(source, key));
            if (Retention.Validate(source.RemoteRetention, $"{key}:RemoteRetention") is { } retention)
            {
                failures.Add(retention);
            }

            for (var r = 0; r < source.ClassifyRules.Count; r++)
            {
                if (string.IsNullOrWhiteSpace(source.ClassifyRules[r].Type))
                {
                    failures.Add($"{key}:ClassifyRules:{r}:Type: is required");
                }
            }

            failures.AddUnlessBetween($"{key}:MaxAttempts", source.MaxAttempts, 1, 100);
            failures.AddUnlessBetween($"{key}:Priority", source.Priority, 1, 100, "a weight: 8 gets eight uploads for each one of 1");

            // A v1 job sends no configuration id (its tier is V1ParseTier), so a v1 source may leave it empty.
            var configurationIgnored = BatchJobTypes.IsV1(source.JobType) && string.IsNullOrEmpty(source.ConfigurationId);
            if (!configurationIgnored && (!source.ConfigurationId.StartsWith("cfg-", StringComparison.Ordinal) || source.ConfigurationId.Length < 5))
            {
                failures.Add($"{key}:ConfigurationId: '{source.ConfigurationId}' must be a configuration id such as cfg-PARSE_AGENTIC");
            }

            if (!string.IsNullOrWhiteSpace(source.FallbackConfigurationId))
            {
                var fallback = source.FallbackConfigurationId;
                if (!fallback.StartsWith("cfg-", StringComparison.Ordinal) || fallback.Length < 5)
                {
                    failures.Add($"{key}:FallbackConfigurationId: '{fallback}' must be a configuration id such as cfg-PARSE_AGENTIC");
                }
                else if (fallback == source.ConfigurationId)
                {
                    failures.Add($"{key}:FallbackConfigurationId: '{fallback}' is the source's own ConfigurationId; a fallback must differ");
                }

                if (source.Layout != RemoteLayout.PerRun || BatchJobTypes.IsV1(source.JobType))
                {
                    failures.Add($"{key}:FallbackConfigurationId: only for Layout PerRun with a v2 job type (a mirror or a v1 job batches whole directories)");
                }
            }

            if (CronSchedule.Validate(source.Schedule) is { } cronError)
            {
                failures.Add($"{key}:Schedule: '{source.Schedule}' {cronError}");
            }

            if (!TimeZoneInfo.TryFindSystemTimeZoneById(source.TimeZone, out _))
            {
                failures.Add($"{key}:TimeZone: '{source.TimeZone}' is not a known time zone id");
            }

            if (!QueuePattern().IsMatch(source.Queue ?? ""))
            {
                failures.Add($"{key}:Queue: '{source.Queue}' must be lowercase letters, digits, '_' and '-' (Hangfire's rule for queue names)");
            }

            // Over a day, every new file would wait past the next nightly run, listed only as "not settled yet".
            if (source.SettleWindow < TimeSpan.Zero || source.SettleWindow > TimeSpan.FromDays(1))
            {
                failures.Add($"{key}:SettleWindow: {source.SettleWindow} must be from 00:00:00 to a day");
            }

            failures.AddRange(LlamaCloud.ProjectIds.Validate(source.ProjectId, source.OrganizationId, key));
            failures.AddRange(GlobFilter.Validate(source.Include, $"{key}:Include"));
            if (!source.IncludeHidden)
            {
                failures.AddRange(source.Include
                    .Select((pattern, i) => (pattern, i))
                    .Where(p => p.pattern.Split('/', '\\').Any(segment => GlobFilter.IsHidden(segment) && segment is not "." and not ".."))
                    .Select(p => $"{key}:Include:{p.i}: '{p.pattern}' names hidden files or folders (a name starting with '.'), which are never taken while {key}:IncludeHidden is false; set it to true to take them"));
            }

            failures.AddRange(GlobFilter.Validate(source.Exclude, $"{key}:Exclude"));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,40}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z0-9_-]{1,50}$")]
    private static partial Regex QueuePattern();
}
