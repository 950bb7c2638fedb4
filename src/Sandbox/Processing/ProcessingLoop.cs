using BatchOrchestrator.Sandbox.State;
using BatchOrchestrator.Sandbox.V1Batches;

namespace BatchOrchestrator.Sandbox.Processing;

/// <summary>The simulated back end: every StepDelay, one step for every job and batch.</summary>
internal sealed class ProcessingLoop(SandboxState state, SandboxOptions options, JobProcessor jobs, BatchProcessor batches, V1Processor v1) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.StepDelay > TimeSpan.Zero ? options.StepDelay : TimeSpan.FromMilliseconds(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            lock (state.Gate)
            {
                var step = ++state.Step;
                jobs.Advance(step);
                batches.Advance(step);
                v1.Advance(step);
            }
        }
    }
}
