using BatchOrchestrator.Core.FollowUp;

namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// A RemoteOnly directory's job whose status the follow-up's list did not give (the list call failed, or left the job out)
/// is read by itself, as a job of our own file is: how it ended is what its reference records, not an unknown.
/// </summary>
public sealed class RemoteOnlyStatusFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(
        server,
        services: services =>
        {
            services.Remove(services.Single(d => d.ServiceType == typeof(IJobStatuses)));
            services.AddSingleton<IJobStatuses, NoStatusesListed>();
        });

    [Fact]
    public async Task AJobTheStatusListLeftOut_IsReadByItself_AndItsFailureRecorded()
    {
        var api = Harness.Get<IBatchApis>().For(ProjectScope.Default);
        var directory = await api.CreateDirectoryAsync("filled-elsewhere", ephemeral: false, Ct);
        await using (var content = new MemoryStream("a remote document"u8.ToArray()))
        {
            await api.UploadFileAsync(directory.Id, new FileUpload(content, "broken.txt", "broken", "broken.txt"), Ct);
        }

        var source = Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources[0];
        (source.Layout, source.RemoteDirectoryId, source.Path) = (RemoteLayout.RemoteOnly, directory.Id, "");
        await Harness.Admin.SetFaultsAsync(new { fail_files_matching = "broken" });
        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, Ct);
        var batchId = Harness.Scheduler.BatchIds("submit").Single();
        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await Harness.RecordAllAsync([batchId], Ct);

        await Harness.FollowUpAllAsync([batchId], Ct);

        Assert.Equal(
            [("FAILED", "FollowUpFailed")],
            await Harness.Database.ListAsync(
                "select remote_job_status, follow_up_state from orchestrator.batch_result where batch_id = $1", r => (r.IsDBNull(0) ? null : r.GetString(0), r.GetString(1)), batchId));
    }

    /// <summary>A list that answers for none of the jobs asked about.</summary>
    private sealed class NoStatusesListed : IJobStatuses
    {
        public Task<IReadOnlyDictionary<string, JobStatus>> ReadAsync(FollowUpWork work, IReadOnlyList<FollowUpItem> items, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<string, JobStatus>>(new Dictionary<string, JobStatus>());
    }
}
