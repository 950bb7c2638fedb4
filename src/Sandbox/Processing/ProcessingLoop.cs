using BatchOrchestrator.Sandbox.V1Batches;

namespace BatchOrchestrator.Sandbox.Processing;

/// <summary>The simulated back end: every StepDelay, one step for every job and batch (none with <see cref="SandboxOptions.ManualSteps"/>).</summary>
internal sealed class ProcessingLoop(SandboxState state, SandboxOptions options, JobProcessor jobs, BatchProcessor batches, V1Processor v1) : BackgroundService
{
    /// <summary>One step of the back end, under the state lock; returns the step's number.</summary>
    public long Step()
    {
        lock (state.Gate)
        {
            var step = ++state.Step;
            jobs.Advance(step);
            batches.Advance(step);
            v1.Advance(step);
            return step;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.ManualSteps)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.StepDelay > TimeSpan.Zero ? options.StepDelay : TimeSpan.FromMilliseconds(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            Step();
        }
    }
}
