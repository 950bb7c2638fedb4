namespace BatchOrchestrator.Worker.IntegrationTests.Hosting;

/// <summary>The real host, built as Program.cs builds it, refuses to start on a bad value, naming the key.</summary>
public sealed class BadOptionsFacts : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("bo-bad-options-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public async Task ALeaseTimeToLiveOfZero_StopsTheRealHostBeforeAnythingStarts_NamingTheKey()
    {
        var settings = new Dictionary<string, string?>
        {
            // Nothing listens here, and nothing tries: the options are checked before any hosted service starts.
            ["Database:ConnectionString"] = "Host=127.0.0.1;Port=9;Username=nobody",
            ["LLAMA_CLOUD_API_KEY"] = "llx-never-used",
            ["LLAMA_CLOUD_BASE_URL"] = "http://127.0.0.1:9/",
            ["Leases:TimeToLive"] = "00:00:00",
        };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => WorkerHost.StartAsync(root, settings));

        Assert.Equal(["Leases:TimeToLive: 00:00:00 must be from a second to an hour"], error.Failures);
    }
}
