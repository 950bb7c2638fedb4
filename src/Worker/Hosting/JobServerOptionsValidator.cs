using System.Text.RegularExpressions;
using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Core.Validation;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Hosting;

/// <summary>
/// Checks the "Hangfire:Server" section, and that its workers outnumber the jobs that wait in place: the held
/// poll tick and the follow-up jobs waiting for a near look each keep a worker (docs/performance.md), and had they
/// all of them, uploads and submissions would stand still meanwhile.
/// </summary>
internal sealed partial class JobServerOptionsValidator(IOptions<PollingOptions> polling, IOptions<FollowUpOptions> followUp) : OptionsValidator<JobServerOptions>
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

        if (polling.ValueIfValid() is not { } poll || followUp.ValueIfValid() is not { } follow)
        {
            return; // their own validators name what is wrong there
        }

        var tick = poll.HoldTickFor > TimeSpan.Zero ? 1 : 0;
        var looks = follow.HoldFor > TimeSpan.Zero ? follow.MaxHolding : 0;
        if (options.WorkerCount >= 1 && options.WorkerCount <= tick + looks)
        {
            failures.Add(
                $"{Section}:WorkerCount: {options.WorkerCount} workers leave none for the other steps while the poll tick ({tick}) and " +
                $"FollowUp:MaxHolding ({looks}) follow-up jobs wait in place; set at least {tick + looks + 1}, or lower FollowUp:MaxHolding " +
                "(FollowUp:HoldFor 0 and Polling:HoldTickFor 0 turn the waiting off)");
        }
    }

    [GeneratedRegex("^[a-z0-9_-]+$")]
    private static partial Regex QueueName();
}
