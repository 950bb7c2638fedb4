using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Sandbox;

namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// What LlamaCloud does with a second upload under a <c>unique_id</c> a directory already holds is not documented: it may
/// replace the copy, add a second one, or refuse (docs/llamacloud-api.md §4.2). A mirror's file whose batch LlamaCloud lost
/// goes back to the queue as never sent while its copy stays in the directory, and is sent again unedited under the same
/// <c>unique_id</c>: whichever LlamaCloud does, the next batch must find the folder there, each file once, and deliver each.
/// </summary>
public sealed class SameUniqueIdFacts(PostgresServerFixture server)
{
    [Theory]
    [InlineData(SameUniqueId.Replace)]
    [InlineData(SameUniqueId.Add)]
    [InlineData(SameUniqueId.Refuse)]
    public async Task AFileSentAgainUnderItsUniqueId_IsInTheMirrorOnce_AndDelivered_WhateverLlamaCloudDoesWithTheSecondUpload(SameUniqueId same)
    {
        await using var harness = await PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?> { ["Sources:0:Layout"] = "Mirror" },
            sandboxOptions: new SandboxOptions { Guesses = { SameUniqueIdUpload = same } });
        harness.WriteFile("a.txt", "alpha");
        harness.WriteFile("b.txt", "beta");
        var lost = Assert.Single(await harness.SubmitAllAsync(Ct));
        await harness.LoseAsync(lost, Ct);
        await harness.Get<BatchResultRecorder>().RecordAsync(lost, Ct);

        var next = Assert.Single(await harness.RunToRecordedAsync(Ct));
        await harness.FollowUpAllAsync([next], Ct);

        var directory = await harness.Database.ScalarAsync<string>("select remote_directory_id from orchestrator.batch where id = $1", next);
        var copies = await harness.Get<IBatchApis>().For(ProjectScope.Default).ListDirectoryFilesAsync(directory, Ct);
        Assert.Equal(["a.txt", "b.txt"], copies.Select(c => c.DisplayName).Order(StringComparer.Ordinal));
        Assert.Equal(
            copies.Select(c => c.Id).Order(StringComparer.Ordinal),
            await harness.Database.ListAsync("select remote_file_id from orchestrator.file_version order by remote_file_id collate \"C\"", r => r.GetString(0)));
        Assert.Equal(
            [("a.txt", "Succeeded", "FollowedUp"), ("b.txt", "Succeeded", "FollowedUp")],
            await harness.Database.ListAsync(
                "select v.relative_path, v.state, r.follow_up_state from orchestrator.file_version v join orchestrator.batch_result r on r.file_version_id = v.id and r.batch_id = $1 order by 1",
                r => (r.GetString(0), r.GetString(1), r.GetString(2)),
                next));
    }
}
