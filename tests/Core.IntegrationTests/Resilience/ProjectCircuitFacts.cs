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

    [Fact]
    public async Task AResultWhoseReadAlwaysFails_CountsTheLookThatOpenedTheCircuit_SoItCannotPauseTheProjectForGood()
    {
        await using var h = await PauseHarness.CreateAsync(server);
        h.WriteFiles(1);
        var batch = (await h.RunToRecordedAsync(Ct)).Single();
        // A 5xx for this job's read alone (a result too large for a gateway, say): every other request is answered.
        await h.Admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 502 }, routes = new[] { "GET /api/v2/parse/{job_id}" } });

        // Looks as the follow-up would, each once the last pause is over, until two have opened the circuit: the first opening
        // may be an outage's and costs nothing, but the same read opening it again is this reference's own failure. Left
        // uncounted, it paused the project after every probe for good, every upload and batch of the project held back with it.
        const string Attempts = "select follow_up_attempts from orchestrator.batch_result where batch_id = $1";
        var countedAtOpenings = await AtTwoOpeningsAsync(h, async () =>
        {
            var before = await h.Database.ScalarAsync<int>(Attempts, batch);
            await h.Get<FollowUpProcessor>().FollowUpAsync(batch, Ct);
            return await h.Database.ScalarAsync<int>(Attempts, batch) - before;
        });

        Assert.Equal([0, 1], countedAtOpenings);
    }

    [Fact]
    public async Task ABatchWhoseResultsReadAlwaysFails_FailsItsRecordStep_WhenTheReadOpensTheCircuitAgain()
    {
        await using var h = await PauseHarness.CreateAsync(server);
        h.WriteFiles(1);
        var batch = (await h.SubmitAllAsync(Ct)).Single();
        await h.PollUntilFinishedAsync([batch], Ct);
        await h.Admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 502 }, routes = new[] { "GET /api/v2/batches/{batch_id}" } });

        // The first opening may be an outage's: the step waits it out, spending none of its retries. The same read opening
        // the circuit again is this batch's own failure: deferred each time, it paused the project after every probe for good.
        var atOpenings = await AtTwoOpeningsAsync(h, async () =>
        {
            var deferrals = h.Scheduler.Delays.Count(d => d.Step == "scheduled-record");
            var failed = await Record.ExceptionAsync(() => h.Get<BatchResultRecorder>().RecordAsync(batch, Ct));
            return failed is LlamaCloudTransientException ? "failed" : h.Scheduler.Delays.Count(d => d.Step == "scheduled-record") > deferrals ? "deferred" : "?";
        });

        Assert.Equal(["deferred", "failed"], atOpenings);
    }

    [Fact]
    public async Task ADeleteThatAlwaysFails_CountsTheCleanupRunThatOpenedTheCircuit_SoItCannotPauseTheProjectForGood()
    {
        // A quiet project: the delete's own failures are enough to open the circuit.
        await using var h = await PauseHarness.CreateAsync(server, settings: new Dictionary<string, string?>
        {
            ["RemoteCleanup:Retention"] = "Immediately",
            ["LlamaCloud:CircuitBreaker:FailureRatio"] = "0.01",
            ["LlamaCloud:CircuitBreaker:MinimumThroughput"] = "2",
        });
        h.WriteFiles(1);
        var batches = await h.RunToRecordedAsync(Ct);
        await h.FollowUpAllAsync(batches, Ct);
        // A 5xx for this job's delete alone: handed back uncounted, it was first in line again at every cleanup run, and
        // paused the project each time, for good, with no attempt or error recorded for an operator to find.
        await h.Admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 502 }, routes = new[] { "DELETE /api/v2/parse/{job_id}" } });

        const string Attempts = "select attempts from orchestrator.remote_artefact where kind = 'Job'";
        var countedAtOpenings = await AtTwoOpeningsAsync(h, async () =>
        {
            var before = await h.Database.ScalarAsync<int>(Attempts);
            await h.Get<RemoteCleaner>().RunAsync(Ct);
            return await h.Database.ScalarAsync<int>(Attempts) - before;
        });

        Assert.Equal([0, 1], countedAtOpenings);
        Assert.Equal(1L, await h.Database.ScalarAsync<long>("select count(*) from orchestrator.remote_artefact where kind = 'Job' and last_error is not null and due_at > now()"));
    }

    /// <summary>
    /// Runs <paramref name="step"/> as its job would after each pause (the break waited out, then another request answered,
    /// as the pause's probe does, which closes the circuit) until two of its runs have opened the circuit; returns what
    /// <paramref name="step"/> made of each of those two.
    /// </summary>
    private static async Task<List<T>> AtTwoOpeningsAsync<T>(PipelineHarness h, Func<Task<T>> step)
    {
        var atOpenings = new List<T>();
        await Eventually.WaitAsync(
            async () =>
            {
                await h.Database.ExecuteAsync("delete from orchestrator.project_pause");
                await Eventually.WaitAsync(() => Task.FromResult(!h.Get<ProjectPauses>().CircuitOpen(ProjectScope.Default)), TimeSpan.FromSeconds(10), "the break to end");
                await h.Get<IBatchApis>().For(ProjectScope.Default).FindDirectoryByNameAsync("a-name-no-directory-has", Ct);
                var outcome = await step();
                if ((await h.PausesAsync()).Count > 0)
                {
                    atOpenings.Add(outcome);
                }

                return atOpenings.Count;
            },
            openings => openings == 2,
            TimeSpan.FromSeconds(30),
            "the step to open the circuit twice");
        return atOpenings;
    }

    private static ResiliencePipeline<HttpResponseMessage> Build(LlamaCloudPipeline configure, string project, IServiceProvider services)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        configure.Configure(builder, project, services);
        return builder.Build();
    }
}
