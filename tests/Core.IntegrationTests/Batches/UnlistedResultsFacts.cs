namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// A finished v2 batch whose answer has no <c>results</c> (optional and nullable in the SDK's types; a batch that failed
/// or was cancelled before mapping a file may well answer so) is read again for a while, then recorded as it stands:
/// never held unrecorded for good, its files Submitted, its run open and a mirror's next batch waiting behind it.
/// </summary>
public sealed class UnlistedResultsFacts(PostgresServerFixture server)
{
    [Theory]
    [InlineData(true, "FAILED")]
    [InlineData(false, "COMPLETED")]
    public async Task AFinishedBatchListingNoResults_IsReadAgain_ThenRecordedAfterAnHour_ItsFilesSentAgain(bool failed, string status)
    {
        await using var harness = await PipelineHarness.CreateAsync(
            server, sandboxOptions: new SandboxOptions { Guesses = { OmitOptionalFieldsRate = 1, OmitOptionalFields = ["results"] } });
        harness.WriteFiles(2);
        if (failed)
        {
            await harness.Admin.SetFaultsAsync(new { fail_next_batches = 1 });
        }

        var batch = (await harness.SubmitAllAsync(Ct)).Single();
        var first = await Assert.ThrowsAsync<LlamaCloudTransientException>(() => harness.RecordAllAsync([batch], Ct)); // its time is kept
        var clock = new ManualClock(DateTimeOffset.UtcNow + BatchResultRecorder.ListedShortPatience + TimeSpan.FromMinutes(1));

        await ActivatorUtilities.CreateInstance<BatchResultRecorder>(harness.Services, (TimeProvider)clock).RecordAsync(batch, Ct);

        Assert.Matches($"^batch bat-[0-9a-f-]+ is {status} but its answer lists no results; reading the list again later$", first.Message);
        Assert.Equal("ResultsRecorded", await harness.Database.ScalarAsync<string>("select state from orchestrator.batch where id = $1", batch));
        Assert.Equal(0L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Submitted'"));
        Assert.Single(harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("recording what was listed", StringComparison.Ordinal));
        // LlamaCloud may have run them: their first estimate still counts against the caps while they are sent again.
        Assert.Equal(
            2L,
            await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.credit_charge where batch_id = $1 and settled_at is not null and billed_credits is null", batch));
    }
}
