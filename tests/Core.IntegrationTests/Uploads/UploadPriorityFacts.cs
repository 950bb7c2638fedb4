namespace BatchOrchestrator.Core.IntegrationTests.Uploads;

/// <summary>
/// Two sources in one project upload at once through the real client, pace and Sandbox: the one with the
/// higher priority gets most of the project's uploads while both upload, and the other still gets the rest.
/// </summary>
public sealed class UploadPriorityFacts(PostgresServerFixture server)
{
    private const string Nightly = "nightly";
    private const int NightlyFiles = 24;

    [Fact]
    public async Task AHighPrioritySource_UploadsAheadOfABackfill_WhichStillUsesTheRest()
    {
        await using var h = await PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?>
            {
                ["Sources:1:Name"] = Nightly,
                ["Sources:1:Path"] = Nightly,
                ["Sources:1:SettleWindow"] = "00:00:00",
                ["Sources:1:Priority"] = "8",
                ["LlamaCloud:UploadRateLimit:PermitLimit"] = "25",
                ["LlamaCloud:UploadRateLimit:Window"] = "00:00:01",
                ["Pipeline:UploadConcurrency"] = "4",
            });
        Directory.CreateDirectory(Path.Combine(h.Root, Nightly));
        h.WriteFiles(100, "backfill");
        for (var i = 0; i < NightlyFiles; i++)
        {
            File.WriteAllText(Path.Combine(h.Root, Nightly, $"night{i:D2}.txt"), $"nightly number {i}");
        }

        var backfillBatch = await h.PlanOneBatchAsync(Ct);
        var nightlyBatch = await h.PlanOneBatchAsync(Ct, Nightly);

        var nightlyIds = (await h.Database.ListAsync("select unique_id from orchestrator.file_version where batch_id = $1", r => r.GetString(0), nightlyBatch)).ToHashSet();
        var backfill = h.Get<BatchUploader>().UploadAsync(backfillBatch, Ct);
        await Eventually.WaitAsync(() => UploadsAsync(h), n => n >= 2, TimeSpan.FromSeconds(30), "the backfill to be uploading");
        var nightly = h.Get<BatchUploader>().UploadAsync(nightlyBatch, Ct);

        // Counted from the nightly's first upload, not from the start of its step: on a busy machine the step's own
        // set-up (its directory, its intent) takes a while, and the backfill rightly has the limit to itself meanwhile.
        var first = await Eventually.WaitAsync(
            () => h.Admin.CountersAsync(), c => c.UploadsByUniqueId.Keys.Any(nightlyIds.Contains), TimeSpan.FromSeconds(30), "the nightly's first upload");
        var backfillBefore = first.UploadsTotal - first.UploadsByUniqueId.Keys.Count(nightlyIds.Contains);
        await nightly;
        var backfillMeanwhile = await UploadsAsync(h) - NightlyFiles - backfillBefore;
        await backfill;

        // At equal shares the backfill would have sent about as many as the nightly (24) meanwhile; at 8 to 1 about 3,
        // plus the few in flight when the nightly's first upload was seen.
        Assert.InRange(backfillMeanwhile, 0, 12);
        Assert.Equal(100 + NightlyFiles, await UploadsAsync(h)); // and it went on to upload all of its own
    }

    private static async Task<long> UploadsAsync(PipelineHarness h) => (await h.Admin.CountersAsync()).UploadsTotal;

}
