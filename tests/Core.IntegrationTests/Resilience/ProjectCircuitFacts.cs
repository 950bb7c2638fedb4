using System.Net;
using Polly;
using Polly.CircuitBreaker;

namespace BatchOrchestrator.Core.IntegrationTests.Resilience;

/// <summary>
/// How a project's circuit reports itself. The registry may build a project's pipeline twice when its first requests arrive together, and keep one.
/// This process's view of the project's circuit must follow the one kept, whichever was built last.
/// </summary>
public sealed class ProjectCircuitFacts(PostgresServerFixture server)
{
    [Fact]
    public async Task APipelineBuiltTwiceForOneProject_TheOneKeptStillHoldsTheProjectBackHereWhenItOpens()
    {
        await using var h = await PauseHarness.CreateAsync(server);
        const string project = "prj-00000000-0000-4000-8000-00000000c1c1"; // keyed by the pipeline's project, not a request's
        var configure = h.Get<LlamaCloudPipeline>();
        var kept = Build(configure, project, h.Get<IServiceProvider>());
        _ = Build(configure, project, h.Get<IServiceProvider>()); // built after it, then thrown away by the registry

        // Server errors until the kept pipeline's breaker opens (default thresholds: 6 attempts, half of them failed).
        await Assert.ThrowsAsync<BrokenCircuitException>(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                using var response = await kept.ExecuteAsync(static _ => ValueTask.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError)), Ct);
            }
        });

        var pause = h.Get<ProjectCircuits>().Local(project);
        Assert.NotNull(pause);
        Assert.Equal(PauseReason.CircuitOpen, pause.Reason);
    }

    [Fact]
    public async Task AnOutageOpeningTheCircuit_IsOneWarningOfOurs_WhilePollysOwnLineOfItStaysBelowError()
    {
        await using var h = await PauseHarness.CreateAsync(server);
        h.WriteFiles(6);
        var batchId = await h.PlanOneBatchAsync(Ct);
        await h.Admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 503 } });

        await h.Get<BatchUploader>().UploadAsync(batchId, Ct);

        Assert.Equal([("default", "circuit_open")], await h.PausesAsync());
        // Polly still tells of the breaker's move, below Error: an outage is not an error of the service's own.
        Assert.Contains(h.Logs.Lines, l => l.StartsWith("Information Polly ", StringComparison.Ordinal) && l.Contains("OnCircuitOpened", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Logs.Lines, l => l.StartsWith("Error Polly ", StringComparison.Ordinal));
        var paused = Assert.Single(h.Logs.Lines, l => l.Contains("LlamaCloud project default is paused", StringComparison.Ordinal));
        Assert.StartsWith("Warning", paused, StringComparison.Ordinal);
    }

    private static ResiliencePipeline<HttpResponseMessage> Build(LlamaCloudPipeline configure, string project, IServiceProvider services)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        configure.Configure(builder, project, services);
        return builder.Build();
    }
}
