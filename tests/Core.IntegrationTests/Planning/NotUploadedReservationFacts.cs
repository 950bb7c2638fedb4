namespace BatchOrchestrator.Core.IntegrationTests.Planning;

/// <summary>
/// A file taken out of its batch at upload (vanished, unreadable, refused) can be billed nothing in it: its reservation
/// is released then (docs/costs.md, "Settling"), not when the batch ends hours later, so the cap's room it held goes to
/// the files of the next run rather than holding them back.
/// </summary>
public sealed class NotUploadedReservationFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) =>
        PipelineHarness.CreateAsync(server, CapSettings.TwoFilesADay());

    [Fact]
    public async Task AFileThatVanishedBeforeItsUpload_FreesItsReservation_SoTheNextRunsFileIsNotHeld()
    {
        var vanishing = Harness.WriteFile("a.txt", "alpha");
        Harness.WriteFile("b.txt", "beta");
        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
        var batchId = await Harness.Database.ScalarAsync<long>("select id from orchestrator.batch");
        File.Delete(vanishing);
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct); // a.txt ends Skipped; the batch goes on with b.txt

        Assert.Equal(
            ["a.txt 0", "b.txt -"],
            await Harness.Database.ListAsync(
                """
                select f.relative_path || ' ' || coalesce(c.billed_credits::int::text, '-')
                from orchestrator.credit_charge c join orchestrator.file_version f on f.id = c.file_version_id order by f.relative_path
                """,
                r => r.GetString(0)));

        Harness.WriteFile("c.txt", "gamma");
        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);

        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where held_cap is not null"));
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch"));
    }
}
