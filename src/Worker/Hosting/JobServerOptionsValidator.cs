using System.Text.RegularExpressions;
using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Worker.Hosting;

/// <summary>Checks the "Hangfire:Server" section.</summary>
internal sealed partial class JobServerOptionsValidator : OptionsValidator<JobServerOptions>
{
    public const string Section = "Hangfire:Server";

    protected override void Check(JobServerOptions options, List<string> failures)
    {
        failures.AddUnlessBetween($"{Section}:WorkerCount", options.WorkerCount, 1, 1_000);

        if (options.SchedulePollingInterval <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:SchedulePollingInterval: {options.SchedulePollingInterval} must be positive");
        }

        if (options.ShutdownTimeout < TimeSpan.Zero)
        {
            failures.Add($"{Section}:ShutdownTimeout: {options.ShutdownTimeout} must not be negative");
        }

        for (var i = 0; i < options.Queues.Count; i++)
        {
            // Blank entries are skipped (Core.Sources.ServedQueues); any other must be a name Hangfire accepts.
            if (!string.IsNullOrWhiteSpace(options.Queues[i]) && !QueueName().IsMatch(options.Queues[i]))
            {
                failures.Add($"{Section}:Queues:{i}: '{options.Queues[i]}' must be lowercase letters, digits, '_' and '-' (Hangfire's rule for queue names)");
            }
        }
    }

    [GeneratedRegex("^[a-z0-9_-]+$")]
    private static partial Regex QueueName();
}
