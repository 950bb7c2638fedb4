using Microsoft.Extensions.DependencyInjection;

namespace BatchOrchestrator.Core.IntegrationTests.LlamaCloud;

/// <summary>
/// LlamaCloud's upload limit is the project's (docs/llamacloud-api.md §1.4): instances on one database uploading into one
/// project share its slots (docs/sources.md, "Pacing"), where each pacing on its own sent as many times the limit as there
/// were instances, and met 429s. Time-scaled: the Sandbox allows 20 uploads a second per project; each instance paces at
/// 80 % of that, so two on their own would send 32 a second.
/// </summary>
public sealed class SharedPaceFacts(PostgresServerFixture server)
{
    private const string Other = "other";
    private const string Project = "prj-11111111-1111-4111-8111-111111111111";

    [Fact]
    public async Task TwoInstancesUploadingIntoOneProject_KeepTogetherToItsLimit_AndNeitherIsRefused()
    {
        await using var h = await HarnessAsync();
        h.WriteFiles(40);
        for (var i = 0; i < 40; i++)
        {
            File.WriteAllText(Path.Combine(h.Root, Other, $"other{i:D4}.txt"), $"other number {i}");
        }

        var first = await h.PlanOneBatchAsync(Ct);
        var second = await h.PlanOneBatchAsync(Ct, Other);
        await using var another = h.AnotherInstance(new RecordingScheduler());
        var start = await h.Database.ScalarAsync<DateTime>("select clock_timestamp()");

        await Task.WhenAll(h.Get<BatchUploader>().UploadAsync(first, Ct), another.GetRequiredService<BatchUploader>().UploadAsync(second, Ct));

        Assert.Empty(await h.Admin.MapAsync("rate_limited_by_project"));
        Assert.Equal(80, (await h.Admin.MapAsync("uploads_by_project"))[Project]);
        Assert.Equal(80, await h.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Uploaded'"));
        // Both took slots, ten at a time: the project's row moved on by at least every upload of both (62.5 ms apart), where
        // one instance sharing alone would move it on by its own forty.
        Assert.True(
            await h.Database.ScalarAsync<bool>("select next_at >= $2 + 80 * interval '62.5 milliseconds' from orchestrator.upload_pace where project = $1", Project, start),
            "the instances did not both reserve their slots");
    }

    [Fact]
    public async Task ASmallRunOfAHighPrioritySource_BesideABackfillOnAnotherInstance_GetsTheSlotsByWeight_NotTurnAbout()
    {
        await using var h = await HarnessAsync(new() { ["Sources:1:Priority"] = "8" });
        h.WriteFiles(80); // the backfill, priority 1
        for (var i = 0; i < 40; i++)
        {
            File.WriteAllText(Path.Combine(h.Root, Other, $"other{i:D4}.txt"), $"other number {i}");
        }

        var backfill = await h.PlanOneBatchAsync(Ct);
        var nightly = await h.PlanOneBatchAsync(Ct, Other);
        await using var another = h.AnotherInstance(new RecordingScheduler());

        await Task.WhenAll(h.Get<BatchUploader>().UploadAsync(backfill, Ct), another.GetRequiredService<BatchUploader>().UploadAsync(nightly, Ct));

        // While the nightly run's 40 files went out, turn about (ten slots each) the backfill sent 20 to 30 beside them; by
        // weight (one slot to the nightly run's ten) about 3. Counted by when each file's upload was recorded, between the
        // nightly run's first and last, so however the two instances' starts fell.
        var backfillMeanwhile = await h.Database.ScalarAsync<long>(
            """
            with nightly as (select min(updated_at) as first, max(updated_at) as last from orchestrator.file_version where source_name = $2)
            select count(*) from orchestrator.file_version, nightly
            where source_name = $1 and state = 'Uploaded' and updated_at > nightly.first and updated_at < nightly.last
            """,
            PipelineHarness.SourceName,
            Other);
        Assert.InRange(backfillMeanwhile, 0, 12);
        Assert.Empty(await h.Admin.MapAsync("rate_limited_by_project"));
        Assert.Equal(120, await h.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Uploaded'"));
    }

    private async Task<PipelineHarness> HarnessAsync(Dictionary<string, string?>? more = null)
    {
        var sandbox = new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(20) };
        sandbox.RateLimits["uploads"] = new SandboxRateLimit { PermitLimit = 20, Window = TimeSpan.FromSeconds(1) };
        var harness = await PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?>
            {
                ["Sources:0:ProjectId"] = Project,
                ["Sources:1:Name"] = Other,
                ["Sources:1:Path"] = Other,
                ["Sources:1:SettleWindow"] = "00:00:00",
                ["Sources:1:ProjectId"] = Project,
                ["LlamaCloud:UploadRateLimit:PermitLimit"] = "20",
                ["LlamaCloud:UploadRateLimit:Window"] = "00:00:01",
                ["LlamaCloud:UploadRateLimit:Headroom"] = "0.8",
                ["Pipeline:UploadConcurrency"] = "8",
            }.Concat(more ?? []).ToDictionary(),
            sandbox);
        Directory.CreateDirectory(Path.Combine(harness.Root, Other)); // before anything reads (and validates) the sources
        return harness;
    }
}
