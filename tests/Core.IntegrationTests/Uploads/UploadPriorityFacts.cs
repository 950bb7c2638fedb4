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

        var backfill = h.Get<BatchUploader>().UploadAsync(backfillBatch, Ct);
        await Eventually.WaitAsync(() => UploadsAsync(h), n => n >= 2, TimeSpan.FromSeconds(30), "the backfill to be uploading");
        var before = await UploadsAsync(h);
        await h.Get<BatchUploader>().UploadAsync(nightlyBatch, Ct);
        var backfillMeanwhile = await UploadsAsync(h) - before - NightlyFiles;
        await backfill;

        // At equal shares the backfill would have sent about as many as the nightly (24) meanwhile; at 8 to 1
        // about 3, plus what it sent while the nightly's step was not yet uploading (directory, intent).
        Assert.InRange(backfillMeanwhile, 0, 12);
        Assert.Equal(100 + NightlyFiles, await UploadsAsync(h)); // and it went on to upload all of its own
    }

    private static async Task<long> UploadsAsync(PipelineHarness h) => (await h.Admin.CountersAsync()).UploadsTotal;

}
