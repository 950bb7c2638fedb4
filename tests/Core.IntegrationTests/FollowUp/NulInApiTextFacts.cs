namespace BatchOrchestrator.Core.IntegrationTests.FollowUp;

/// <summary>
/// PostgreSQL's text cannot hold a NUL character, and LlamaCloud's error messages may quote what a document holds. A reason with
/// one, stored as it came, failed the whole statement: the record step's or the follow-up's, again at every attempt, so the batch
/// never ended and the results beside it were never saved.
/// </summary>
public sealed class NulInApiTextFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task AFailureReasonHoldingANulCharacter_IsStoredWithoutIt_AndTheBatchEndsAsAnyOther()
    {
        Harness.WriteFile("broken.txt", "fails");
        Harness.WriteFile("fine.txt", "parses");
        await Harness.Admin.SetFaultsAsync(new { fail_files_matching = "broken", file_failure_message = "glyph \u0000 in the page text could not be read" });

        var batches = await Harness.RunToRecordedAsync(Ct);
        await Harness.FollowUpAllAsync(batches, Ct);

        Assert.Equal(
            [("broken.txt", "Failed"), ("fine.txt", "Succeeded")],
            await Harness.Database.ListAsync("select relative_path, state from orchestrator.file_version order by 1", r => (r.GetString(0), r.GetString(1))));
        var reason = await Harness.Database.ScalarAsync<string>("select error_message from orchestrator.file_version where relative_path = 'broken.txt'");
        Assert.Contains("glyph  in the page text could not be read", reason, StringComparison.Ordinal);
        Assert.Equal("ResultsRecorded", await Harness.Database.ScalarAsync<string>("select state from orchestrator.batch"));
    }
}
