namespace BatchOrchestrator.Core.IntegrationTests.LlamaCloud;

/// <summary>
/// Sources in different LlamaCloud projects, through the real pipeline on PostgreSQL and the Sandbox:
/// every call carries its batch's scope, each project gets the whole upload limit, and a step asked to
/// wait longer than it sleeps in-process schedules itself again after the server's hint.
/// </summary>
public sealed class ProjectScopeFacts(PostgresServerFixture server)
{
    private const string Other = "other";
    private const string ProjectA = "prj-11111111-1111-4111-8111-111111111111";
    private const string ProjectB = "22222222-2222-4222-8222-222222222222";
    private const string Organization = "33333333-3333-4333-8333-333333333333";

    [Fact]
    public async Task TwoSourcesInTwoProjects_CarryTheirOwnScopeOnEveryCall_FromUploadToFollowUp()
    {
        await using var h = await HarnessAsync();
        h.WriteFiles(3);
        WriteOtherFiles(h, 2);

        var batches = new List<long>();
        foreach (var source in new[] { PipelineHarness.SourceName, Other })
        {
            foreach (var batchId in await h.PlanAsync(Ct, source))
            {
                await h.Get<BatchUploader>().UploadAsync(batchId, Ct);
                await h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
                batches.Add(batchId);
            }
        }

        await h.RecordAllAsync(batches, Ct);
        await h.FollowUpAllAsync(batches, Ct);

        var scopes = await h.Admin.MapAsync("requests_by_project_param");
        Assert.Equal([ProjectB, ProjectA], scopes.Keys.Order(StringComparer.Ordinal)); // no request went out without its project
        Assert.Equal(5, await h.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"));
        Assert.Equal(
            [(PipelineHarness.SourceName, ProjectA, (string?)null), (Other, ProjectB, Organization)],
            await h.Database.ListAsync(
                "select source_name, project_id, organization_id from orchestrator.batch order by source_name",
                r => (r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2))));
        var uploads = await h.Admin.MapAsync("uploads_by_project");
        Assert.Equal(3, uploads[ProjectA]);
        Assert.Equal(2, uploads[ProjectB]);
        // The key's own project holds nothing of ours: its directories are not where we put them.
        Assert.Null(await h.Get<IBatchApis>().For(ProjectScope.Default).FindDirectoryByNameAsync(
            await h.Database.ScalarAsync<string>("select directory_name from orchestrator.batch where source_name = $1", Other), Ct));
    }

    [Fact]
    public async Task ABatch_KeepsActingInTheProjectRecordedOnIt_WhateverTheSourceSaysNow()
    {
        await using var h = await HarnessAsync();
        h.WriteFiles(2);
        var batchId = await h.PlanOneBatchAsync(Ct);
        const string moved = "prj-44444444-4444-4444-8444-444444444444";
        await h.Database.ExecuteAsync("update orchestrator.batch set project_id = $1 where id = $2", moved, batchId);

        await h.Get<BatchUploader>().UploadAsync(batchId, Ct);
        await h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await h.RecordAllAsync([batchId], Ct);

        var scopes = await h.Admin.MapAsync("requests_by_project_param");
        Assert.Equal([moved], scopes.Keys);
        Assert.Equal("ResultsRecorded", await h.Database.ScalarAsync<string>("select state from orchestrator.batch where id = $1", batchId));
    }

    [Fact]
    public async Task TwoProjects_EachGetTheWholeUploadLimit_AndNeitherIsRefused()
    {
        // Time-scaled: 20 uploads per second per project at the Sandbox, paced at 80 % of that per project here.
        var sandbox = new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(20) };
        sandbox.RateLimits["uploads"] = new SandboxRateLimit { PermitLimit = 20, Window = TimeSpan.FromSeconds(1) };
        await using var h = await HarnessAsync(sandbox, new()
        {
            ["LlamaCloud:UploadRateLimit:PermitLimit"] = "20",
            ["LlamaCloud:UploadRateLimit:Window"] = "00:00:01",
            ["LlamaCloud:UploadRateLimit:Headroom"] = "0.8",
            ["Pipeline:UploadConcurrency"] = "8",
        });
        h.WriteFiles(60);
        WriteOtherFiles(h, 60);
        var first = await h.PlanOneBatchAsync(Ct);
        var second = await h.PlanOneBatchAsync(Ct, Other);

        await Task.WhenAll(h.Get<BatchUploader>().UploadAsync(first, Ct), h.Get<BatchUploader>().UploadAsync(second, Ct));

        var uploads = await h.Admin.MapAsync("uploads_by_project");
        var peaks = await h.Admin.MapAsync("rate_limit_peak_by_project");
        Assert.Empty(await h.Admin.MapAsync("rate_limited_by_project"));
        Assert.Equal(60, uploads[ProjectA]);
        Assert.Equal(60, uploads[ProjectB]);
        // One pace shared by both would give each project about 8 of its 20 a second; each had more than half of it.
        Assert.True(peaks[$"uploads/{ProjectA}"] > 10, $"project A peaked at {peaks[$"uploads/{ProjectA}"]} uploads in one window");
        Assert.True(peaks[$"uploads/{ProjectB}"] > 10, $"project B peaked at {peaks[$"uploads/{ProjectB}"]} uploads in one window");
    }

    [Fact]
    public async Task AnUploadStep_ToldToWaitLongerThanItSleeps_SchedulesItselfAfterTheHint_AndHoldsOnlyItsProject()
    {
        await using var h = await HarnessAsync(settings: new() { ["Pipeline:UploadConcurrency"] = "1" });
        h.WriteFiles(3);
        WriteOtherFiles(h, 2);
        var held = await h.PlanOneBatchAsync(Ct);
        var free = await h.PlanOneBatchAsync(Ct, Other);
        await h.Admin.SetFaultsAsync(new { too_many_requests_burst = 1, retry_after_ms = 120_000, retry_after_format = "seconds", routes = new[] { "/files/upload" } });

        await h.Get<BatchUploader>().UploadAsync(held, Ct); // no exception: no Hangfire retry spent
        await h.Get<BatchUploader>().UploadAsync(held, Ct); // the rescheduled step, early: the project is still paused
        await h.Get<BatchUploader>().UploadAsync(free, Ct);

        var delays = h.Scheduler.Delays.Where(d => d.Step == "scheduled-upload").Select(d => d.Delay).ToList();
        Assert.Equal(2, delays.Count);
        Assert.Equal(TimeSpan.FromSeconds(120), delays[0]);
        Assert.InRange(delays[1].TotalSeconds, 100, 120);
        Assert.Equal(1, (await h.Admin.CountersAsync()).ResponsesByStatus.GetValueOrDefault("429")); // the second try sent nothing
        var uploads = await h.Admin.MapAsync("uploads_by_project");
        Assert.False(uploads.ContainsKey(ProjectA));
        Assert.Equal(2, uploads[ProjectB]);
        Assert.Equal("Planned", await h.Database.ScalarAsync<string>("select state from orchestrator.batch where id = $1", held));
        Assert.True(h.Get<UploadPaces>().For(new ProjectScope(ProjectA, null)).PausedFor > TimeSpan.FromSeconds(100));
        Assert.Equal(TimeSpan.Zero, h.Get<UploadPaces>().For(new ProjectScope(ProjectB, Organization)).PausedFor);
    }

    [Fact]
    public async Task ASubmitStep_ToldToWaitLongerThanItSleeps_SchedulesItselfAfterTheHint_WithoutCreating()
    {
        await using var h = await HarnessAsync();
        h.WriteFiles(2);
        var batchId = await h.PlanOneBatchAsync(Ct);
        await h.Get<BatchUploader>().UploadAsync(batchId, Ct);
        await h.Admin.SetFaultsAsync(new { too_many_requests_burst = 1, retry_after_ms = 90_000, retry_after_format = "seconds", routes = new[] { "POST /api/v2/batches" } });

        await h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);

        Assert.Equal(("scheduled-submit", TimeSpan.FromSeconds(90)), h.Scheduler.Delays.Select(d => (d.Step, d.Delay)).Single());
        Assert.Equal(0, (await h.Admin.CountersAsync()).BatchCreatesTotal);
        Assert.Equal("Creating", await h.Database.ScalarAsync<string>("select state from orchestrator.batch where id = $1", batchId));
    }

    [Fact]
    public async Task APoll_ToldToWaitLongerThanItSleeps_IsDueAgainAfterTheHint()
    {
        await using var h = await HarnessAsync();
        h.WriteFiles(1);
        var batchId = await h.PlanOneBatchAsync(Ct);
        await h.Get<BatchUploader>().UploadAsync(batchId, Ct);
        await h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await h.Admin.SetFaultsAsync(new { too_many_requests_rate = 1.0, retry_after_ms = 45_000, retry_after_format = "seconds", routes = new[] { "GET /api/v2/batches/{batch_id}" } });

        var wait = await Eventually.WaitAsync(
            async () =>
            {
                await h.Get<BatchPoller>().PollDueAsync(Ct);
                return await h.Database.ScalarAsync<double>(
                    "select coalesce(extract(epoch from next_poll_at - now()), 0)::float8 from orchestrator.batch where id = $1 and last_error is not null", batchId);
            },
            seconds => seconds > 0,
            TimeSpan.FromSeconds(10),
            "a poll answered 429");

        Assert.InRange(wait, 35, 46);
    }

    private async Task<PipelineHarness> HarnessAsync(SandboxOptions? sandbox = null, Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Sources:0:ProjectId"] = ProjectA,
            ["Sources:1:Name"] = Other,
            ["Sources:1:Path"] = Other,
            ["Sources:1:SettleWindow"] = "00:00:00",
            ["Sources:1:ProjectId"] = ProjectB,
            ["Sources:1:OrganizationId"] = Organization,
        };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        var harness = await PipelineHarness.CreateAsync(server, all, sandbox);
        Directory.CreateDirectory(Path.Combine(harness.Root, Other)); // before anything reads (and validates) the sources
        return harness;
    }

    private static void WriteOtherFiles(PipelineHarness h, int count)
    {
        for (var i = 0; i < count; i++)
        {
            File.WriteAllText(Path.Combine(h.Root, Other, $"other{i:D4}.txt"), $"other number {i}");
        }
    }

}
