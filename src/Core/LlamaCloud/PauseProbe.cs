using System.Net;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// The probe that lifts a pause, at most one at a time across instances (the probe is claimed in the
/// table). A circuit pause is probed with a directory lookup by a name that never exists: a read, the
/// cheapest authenticated request (the readiness check's). A credit or quota pause is probed with a parse
/// create naming a file that does not exist: a request of the kind the service refuses with 402 while
/// credits are out, which can never start a job (there is no file), so it cannot spend credits. That the
/// service checks credits before it looks the file up is a guess (docs/resilience.md); if it does not, the
/// pause lifts too early and the next real create pauses the project again, at no cost.
/// </summary>
internal sealed class PauseProbe(
    IBatchApis apis,
    ProjectPauses pauses,
    IOptions<PauseOptions> options,
    IOptions<CircuitBreakerOptions> breaker,
    TimeProvider time,
    ILogger<PauseProbe> logger)
{
    /// <summary>The directory name the circuit probe looks up.</summary>
    public const string ProbeDirectoryName = "batchorchestrator-pause-probe";

    /// <summary>A well-formed directory file id no upload ever gets.</summary>
    public const string NoSuchFile = "dfl-00000000-0000-4000-8000-000000000000";

    /// <summary>Probes every pause whose probe is due (the poll tick's concern: a paused project may have no step waiting to do it).</summary>
    public async Task ProbeDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var pause in await pauses.ListAsync(fresh: true, cancellationToken))
        {
            if (pause.NextProbeAt <= now)
            {
                await TryAsync(pause, cancellationToken);
            }
        }
    }

    /// <summary>Probes <paramref name="pause"/> if its probe is due and this instance takes it; true when the pause was lifted.</summary>
    public async Task<bool> TryAsync(ProjectPause pause, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var interval = pause.Reason == PauseReason.CircuitOpen ? breaker.Value.BreakDuration : options.Value.CreditProbeInterval;
        if (pause.NextProbeAt > now || !await pauses.ClaimProbeAsync(pause, now + interval, cancellationToken))
        {
            return false;
        }

        var api = apis.For(pause.Scope);
        try
        {
            if (pause.Reason == PauseReason.CircuitOpen)
            {
                await api.FindDirectoryByNameAsync(ProbeDirectoryName, cancellationToken);
            }
            else
            {
                await ProbeCreditsAsync(api, cancellationToken);
            }
        }
        catch (LlamaCloudException ex)
        {
            logger.LogInformation(
                "Probe of paused LlamaCloud project {Project} ({Reason}) got no all-clear: {Outcome}; next probe in {Interval}", pause.Project, pause.Reason.Label(), ex.Message, interval);
            return false;
        }

        await pauses.ResumeAsync(pause.Project, pause.Reason, "a probe got an answer");
        return true;
    }

    private static async Task ProbeCreditsAsync(IBatchApi api, CancellationToken cancellationToken)
    {
        try
        {
            await api.CreateParseJobAsync(new CreateParseJobRequest("fast", "latest", NoSuchFile), cancellationToken);
        }
        catch (LlamaCloudRejectedException ex) when (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest)
        {
            // Past the credit check: the service went on to look for the file. The all-clear.
        }
    }
}
