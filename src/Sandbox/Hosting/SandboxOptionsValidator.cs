using System.Text.RegularExpressions;
using BatchOrchestrator.Sandbox.Faults;

namespace BatchOrchestrator.Sandbox.Hosting;

/// <summary>
/// Checks <see cref="SandboxOptions"/> before the Sandbox starts and names every bad key at once
/// ("Sandbox:StepDelay: must be positive"), so a bad setting stops start-up rather than a test.
/// </summary>
internal static class SandboxOptionsValidator
{
    public static void ThrowIfInvalid(SandboxOptions options)
    {
        var failures = Validate(options);
        if (failures.Count > 0)
        {
            throw new ArgumentException("Invalid Sandbox options:\n" + string.Join('\n', failures), nameof(options));
        }
    }

    public static List<string> Validate(SandboxOptions o)
    {
        var failures = new List<string>();
        void Check(bool ok, string key, string problem)
        {
            if (!ok)
            {
                failures.Add($"Sandbox:{key}: {problem}");
            }
        }

        Check(o.Port is >= 0 and <= 65535, "Port", "must be from 0 to 65535");
        Check(o.StepDelay > TimeSpan.Zero, "StepDelay", "must be positive");
        Check(!string.IsNullOrWhiteSpace(o.DefaultProjectId), "DefaultProjectId", "must not be empty");
        Check(FaultSettingsJson.RetryAfterFormats.Contains(o.Faults.RetryAfterFormat, StringComparer.Ordinal), "Faults:RetryAfterFormat", "must be seconds_and_ms, seconds, ms, date or none");
        Check(o.MaxConcurrentBatches >= 0, "MaxConcurrentBatches", "must be 0 (no cap) or more");
        Check(o.FilesMappedPerStep >= 1, "FilesMappedPerStep", "must be at least 1");
        Check(o.JobRunningSteps >= 1, "JobRunningSteps", "must be at least 1");
        Check(o.MaxBatchFiles >= 0, "MaxBatchFiles", "must not be negative");
        Check(o.MaxUploadBytes > 0, "MaxUploadBytes", "must be positive");
        Check(o.LinesPerPage >= 1, "LinesPerPage", "must be at least 1");
        Check(o.WebhookMaxAttempts >= 1, "WebhookMaxAttempts", "must be at least 1");
        Check(o.WebhookRetryDelay >= TimeSpan.Zero, "WebhookRetryDelay", "must not be negative");
        Check(o.WebhookTimeout > TimeSpan.Zero, "WebhookTimeout", "must be positive");
        foreach (var (id, tier) in o.ParsePresets)
        {
            Check(Configurations.ConfigurationParameters.ParseTiers.Contains(tier, StringComparer.Ordinal), $"ParsePresets:{id}", $"'{tier}' is not a parse tier");
        }

        var g = o.Guesses;
        foreach (var (key, status) in new[]
        {
            ("DuplicateDirectoryStatus", g.DuplicateDirectoryStatus), ("TooManyBatchFilesStatus", g.TooManyBatchFilesStatus),
            ("CancelTerminalStatus", g.CancelTerminalStatus), ("SameUniqueIdStatus", g.SameUniqueIdStatus),
        })
        {
            Check(SandboxGuesses.RefusalCodes.Contains(status), "Guesses:" + key, "must be 400, 409 or 422");
        }

        Check(g.FastTierMarkdownStatus is 200 or 400 or 422, "Guesses:FastTierMarkdownStatus", "must be 200 (answered without them), 400 or 422");
        Check(g.OmitOptionalFieldsRate is >= 0 and <= 1, "Guesses:OmitOptionalFieldsRate", "must be from 0 to 1");
        Check(g.V1ListMaxLimit >= 1, "Guesses:V1ListMaxLimit", "must be at least 1");
        foreach (var name in g.OmitOptionalFields.Where(n => !Http.OptionalFields.Known.Contains(n)))
        {
            Check(false, "Guesses:OmitOptionalFields", $"'{name}' is not an optional field the Sandbox knows ({string.Join(", ", Http.OptionalFields.Known.Order(StringComparer.Ordinal))})");
        }

        foreach (var (group, limit) in o.RateLimits)
        {
            Check(FaultSettingsJson.RateLimitGroups.Contains(group, StringComparer.Ordinal), $"RateLimits:{group}", $"unknown group; use {string.Join(", ", FaultSettingsJson.RateLimitGroups)}");
            Check(limit.PermitLimit >= 0, $"RateLimits:{group}:PermitLimit", "must not be negative");
            Check(limit.Window > TimeSpan.Zero, $"RateLimits:{group}:Window", "must be positive");
        }

        var f = o.Faults;
        foreach (var (key, rate) in new[]
        {
            ("ErrorRate", f.ErrorRate), ("ErrorAfterEffectRate", f.ErrorAfterEffectRate), ("DropConnectionRate", f.DropConnectionRate),
            ("DropAfterEffectRate", f.DropAfterEffectRate), ("TooManyRequestsRate", f.TooManyRequestsRate), ("TruncatedJsonRate", f.TruncatedJsonRate),
            ("MalformedJsonRate", f.MalformedJsonRate), ("FileFailureRate", f.FileFailureRate),
        })
        {
            Check(rate is >= 0 and <= 1, "Faults:" + key, "must be from 0 to 1");
        }

        Check(f.Latency >= TimeSpan.Zero && f.LatencyJitter >= TimeSpan.Zero, "Faults:Latency", "must not be negative");
        Check(f.TooManyRequestsBurst >= 0 && f.FailNextBatches >= 0 && f.V1ListsEndAfter >= 0 && f.SlowUploadBytesPerSecond >= 0, "Faults", "counts and rates must not be negative");
        Check(f.ErrorStatusCodes is null || f.ErrorStatusCodes.All(FaultSettings.IsErrorStatus), "Faults:ErrorStatusCodes", "must be 5xx codes, or the refusals 400, 409 and 422");
        Check(IsRegex(f.FailFilesMatching), "Faults:FailFilesMatching", "is not a valid regular expression");
        Check(IsRegex(f.FailBatchesMatching), "Faults:FailBatchesMatching", "is not a valid regular expression");
        Check(IsRegex(f.HoldRequestsMatching), "Faults:HoldRequestsMatching", "is not a valid regular expression");
        Check(f.HoldAnswerStatus is 0 or (>= 500 and <= 599), "Faults:HoldAnswerStatus", "must be 0 or a 5xx code");
        Check(f.QuotaStatusCode is 403 or 429, "Faults:QuotaStatusCode", "must be 403 or 429");
        return failures;
    }

    private static bool IsRegex(string? pattern)
    {
        if (pattern is null)
        {
            return true;
        }

        try
        {
            _ = Regex.Match(string.Empty, pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
