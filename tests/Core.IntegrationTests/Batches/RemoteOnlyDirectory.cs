namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>A user directory filled by another tool, and the harness's source made RemoteOnly over it.</summary>
internal static class RemoteOnlyDirectory
{
    /// <summary>A new directory of <paramref name="files"/> files (<c>r0.txt</c>, …), the source RemoteOnly over it; returns its id.</summary>
    public static async Task<string> CreateAsync(PipelineHarness harness, int files, CancellationToken cancellationToken)
    {
        var directory = await harness.Get<IBatchApis>().For(ProjectScope.Default).CreateDirectoryAsync($"filled-elsewhere-{Guid.NewGuid():N}", ephemeral: false, cancellationToken);
        for (var i = 0; i < files; i++)
        {
            await UploadAsync(harness, directory.Id, $"r{i}", cancellationToken);
        }

        var source = harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources[0];
        source.Layout = RemoteLayout.RemoteOnly;
        source.RemoteDirectoryId = directory.Id;
        source.Path = ""; // no local folder
        return directory.Id;
    }

    /// <summary>Another tool's upload of <c><paramref name="name"/>.txt</c> into the directory.</summary>
    public static async Task UploadAsync(PipelineHarness harness, string directoryId, string name, CancellationToken cancellationToken)
    {
        await using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes($"remote document {name}"));
        await harness.Get<IBatchApis>().For(ProjectScope.Default).UploadFileAsync(directoryId, new FileUpload(content, $"{name}.txt", name, $"{name}.txt"), cancellationToken);
    }

    /// <summary>A scheduled run of the RemoteOnly source: the batch it handed to submission, or null when it sent none.</summary>
    public static async Task<long?> RunAsync(PipelineHarness harness, CancellationToken cancellationToken)
    {
        var before = harness.Scheduler.BatchIds("submit").Count();
        await harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, cancellationToken);
        var submitted = harness.Scheduler.BatchIds("submit").ToList();
        return submitted.Count > before ? submitted[^1] : null;
    }
}
