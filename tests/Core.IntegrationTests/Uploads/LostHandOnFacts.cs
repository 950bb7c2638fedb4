namespace BatchOrchestrator.Core.IntegrationTests.Uploads;

/// <summary>
/// The upload step's hand-on to submission lost after the batch was saved uploaded (its process killed between the
/// two): Hangfire runs the upload job again once its fetch times out, and that run hands the batch on, rather than
/// leave it to the stalled-step sweep's 10 minutes. The second hand-on a redundant run makes costs a job, never a batch.
/// </summary>
public sealed class LostHandOnFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task TheUploadJobRunAgain_OnAnUploadedBatch_HandsItToSubmission_AndItIsCreatedOnce()
    {
        Harness.WriteFiles(2);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        var restarted = new RecordingScheduler(); // the process that made the first hand-on is gone with it
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        Assert.Equal([batchId], Harness.Scheduler.BatchIds("submit"));

        await using (var instance = Harness.AnotherInstance(restarted))
        {
            await instance.GetRequiredService<BatchUploader>().UploadAsync(batchId, Ct); // the job again, after the kill
        }

        Assert.Equal([batchId], restarted.BatchIds("submit"));
        Assert.Equal(2, (await Harness.Admin.CountersAsync()).UploadsTotal); // nothing sent again

        // Both submit jobs run, as both hand-ons would have them: one batch is created.
        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        Assert.Equal(1L, (await Harness.Admin.CountersAsync()).BatchCreatesTotal);
    }

    [Fact]
    public async Task TheUploadJobRunAgain_OnASubmittedBatch_HandsNothingOn()
    {
        Harness.WriteFiles(2);
        var batchId = Assert.Single(await Harness.SubmitAllAsync(Ct));

        var later = new RecordingScheduler();
        await using (var instance = Harness.AnotherInstance(later))
        {
            await instance.GetRequiredService<BatchUploader>().UploadAsync(batchId, Ct);
        }

        Assert.Empty(later.Calls); // owed nothing of ours: the poll tick has it
    }
}
