namespace BatchOrchestrator.Core.IntegrationTests.Operations;

/// <summary>
/// The files of a batch an operator cancelled stay skipped while their content is the same, wherever the scan finds it:
/// a touch, a rename or a copy of such a file would otherwise send it, and bill it, again, against what was asked.
/// </summary>
public sealed class CancelledStaysSkippedFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Theory]
    [InlineData("touched")]
    [InlineData("renamed")]
    [InlineData("copied")]
    public async Task AFileOfACancelledBatch_ThatIsTouchedRenamedOrCopied_IsNotSentAgain(string change)
    {
        Harness.WriteFiles(2);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        Assert.Equal(CancelOutcome.CancelledLocally, await Harness.Get<OperatorCommands>().CancelBatchAsync(batchId, Ct));
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);

        var file = Path.Combine(Harness.SourcePath, "doc0000.txt");
        switch (change)
        {
            case "touched":
                File.SetLastWriteTimeUtc(file, File.GetLastWriteTimeUtc(file).AddMinutes(5));
                break;
            case "renamed":
                File.Move(file, Path.Combine(Harness.SourcePath, "renamed.txt"));
                break;
            default:
                File.Copy(file, Path.Combine(Harness.SourcePath, "copy.txt"));
                break;
        }

        var planned = await Harness.PlanAsync(Ct);

        Assert.Empty(planned);
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Skipped' and batch_id = $1", batchId));
        Assert.Equal(0, (await Harness.Admin.CountersAsync()).UploadsTotal);
    }

    [Fact]
    public async Task AFileSkippedAtUploadAsChanged_ComesBackWhenItsContentDoes()
    {
        // The rule is the operator's cancel alone: a version skipped because its file changed before upload is sent
        // once that content is back.
        var file = Harness.WriteFile("a.txt", "first");
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        File.WriteAllText(file, "second, written before the upload");
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        Assert.Equal("Skipped", await Harness.Database.ScalarAsync<string>("select state from orchestrator.file_version where batch_id = $1", batchId));

        File.WriteAllText(file, "first");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(5));
        await Harness.PlanAsync(Ct);

        Assert.Equal(1L, await Harness.Database.ScalarAsync<long>(
            "select count(*) from orchestrator.file_version where sha256 = sha256('first'::bytea) and state = 'Discovered' and batch_id is not null"));
    }

    [Fact]
    public async Task AFileSkippedAtUploadAsChanged_InABatchCancelledAfterwards_StillComesBackWithItsContent()
    {
        var changed = Harness.WriteFile("a.txt", "first");
        var cancelled = Harness.WriteFile("b.txt", "kept skipped");
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        File.WriteAllText(changed, "second, written before the upload");
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        await Harness.Get<OperatorCommands>().CancelBatchAsync(batchId, Ct);
        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where batch_id = $1 and state = 'Skipped'", batchId));

        File.WriteAllText(changed, "first");
        File.SetLastWriteTimeUtc(changed, DateTime.UtcNow.AddMinutes(5));
        File.SetLastWriteTimeUtc(cancelled, DateTime.UtcNow.AddMinutes(5));
        await Harness.PlanAsync(Ct);

        Assert.Equal(
            [("a.txt", "Discovered"), ("b.txt", "Skipped")],
            await Harness.Database.ListAsync(
                "select relative_path, state from orchestrator.file_version where sha256 in (sha256('first'::bytea), sha256('kept skipped'::bytea)) order by relative_path",
                r => (r.GetString(0), r.GetString(1))));
    }
}
