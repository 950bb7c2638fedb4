using Microsoft.Extensions.Hosting;

namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>The v1 batch-processing group as TS SDK 2.13.0 types it, against a Sandbox as strict as those types.</summary>
public sealed class V1ExactnessFacts(PostgresServerFixture server)
{
    [Fact]
    public void CreateBody_CarriesEveryFieldClassifyJobRequires_AndThePageOptionsOnlyWhenSet()
    {
        var classify = JsonSerializer.Serialize(
            new V1CreateRequest(V1JobConfig.Classify("prj-1", "batchorchestrator", [new V1ClassifyRule("invoice", "bills")]), DirectoryId: "dir-1"),
            LlamaCloudJsonContext.Default.V1CreateRequest);
        var parse = JsonSerializer.Serialize(
            new V1CreateRequest(V1JobConfig.Parse(), DirectoryId: "dir-1", PageSize: 25, ContinueAsNewThreshold: 100),
            LlamaCloudJsonContext.Default.V1CreateRequest);

        using var c = JsonDocument.Parse(classify);
        var config = c.RootElement.GetProperty("job_config");
        Assert.Equal(["id", "project_id", "rules", "status", "user_id", "mode"], config.EnumerateObject().Select(p => p.Name));
        Assert.True(Guid.TryParse(config.GetProperty("id").GetString(), out _));
        Assert.Equal("PENDING", config.GetProperty("status").GetString());
        Assert.False(c.RootElement.TryGetProperty("page_size", out _));
        Assert.Equal("""{"job_config":{"job_name":"parse_raw_file_job","parameters":{"type":"parse"}},"directory_id":"dir-1","page_size":25,"continue_as_new_threshold":100}""", parse);
    }

    [Fact]
    public async Task V1Classify_PassesTheSandboxsStricterIdChecks_WithTheProjectItActsIn()
    {
        var sandbox = new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(20) };
        sandbox.Guesses.V1ClassifyIdMustBeUuid = true;
        sandbox.Guesses.V1ClassifyUserId = "batchorchestrator";
        await using var harness = await PipelineHarness.CreateAsync(server, Classify(), sandbox);
        harness.WriteFiles(2);

        var batches = await harness.RunToRecordedAsync(Ct);
        await harness.FollowUpAllAsync(batches, Ct);

        Assert.Equal(2L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.follow_up_result where result->>'type' in ('invoice', 'letter')"));
        Assert.Equal(2L, await harness.Admin.CounterAsync("classifier_result_gets_total"));
    }

    [Fact]
    public async Task V1Classify_RefusedOverAUserIdGuess_EndsTheBatchWithTheReason()
    {
        var sandbox = new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(20) };
        sandbox.Guesses.V1ClassifyUserId = "usr-someone-else";
        await using var harness = await PipelineHarness.CreateAsync(server, Classify(), sandbox);
        harness.WriteFiles(2);

        await harness.SubmitAllAsync(Ct);

        Assert.Contains("user_id", await harness.Database.ScalarAsync<string>("select last_error from orchestrator.batch"), StringComparison.Ordinal);
        Assert.Equal(2L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Failed' and error_class = 'Permanent'"));
    }

    [Fact]
    public async Task SubmitAsync_AdoptsAnItemScopedJob_WhenTheListComesOldestFirst_BehindOthers()
    {
        var sandbox = new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(20) };
        sandbox.Guesses.V1ListOldestFirst = true;
        await using var harness = await PipelineHarness.CreateAsync(server, Classify(scope: "Items", pageSize: null), sandbox);
        var (batchId, batch, items, created) = await CrashedSubmit.PrepareAsync(harness, Ct);
        for (var i = 0; i < 3; i++)
        {
            await harness.Get<RemoteBatches>().CreateAsync(batch, [items[0]], Ct); // later jobs over other item sets
        }

        await harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);

        Assert.Equal(created.Id, (await harness.Get<IBatchStore>().GetAsync(batchId, Ct))!.RemoteBatchId);
        Assert.Equal(4, await harness.Admin.CounterAsync("v1_batch_creates_total"));
    }

    [Fact]
    public async Task StartUp_SaysOnce_ThatAV1SourceUsesTheLegacyGroup()
    {
        await using var harness = await PipelineHarness.CreateAsync(server, Classify());
        foreach (var service in harness.Services.GetServices<IHostedService>().OfType<SourceNotices>())
        {
            await service.StartAsync(Ct);
        }

        var lines = harness.Logs.Lines.Where(m => m.Contains("legacy", StringComparison.Ordinal)).ToList();
        Assert.Single(lines);
        Assert.Contains("2.15.0", lines[0], StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Classify(string scope = "Directory", int? pageSize = 10) => new()
    {
        ["Sources:0:JobType"] = "v1_classify",
        ["Sources:0:V1Scope"] = scope,
        ["Sources:0:V1PageSize"] = pageSize?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Sources:0:ClassifyRules:0:Type"] = "invoice",
        ["Sources:0:ClassifyRules:0:Description"] = "A bill with an amount due",
        ["Sources:0:ClassifyRules:1:Type"] = "letter",
        ["Sources:0:ClassifyRules:1:Description"] = "Correspondence",
    };
}
