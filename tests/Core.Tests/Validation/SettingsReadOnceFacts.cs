using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace BatchOrchestrator.Core.Tests.Validation;

/// <summary>
/// Settings are read once, at start-up: what start-up validated is what every part of the service reads, however it
/// asks. A section first read later (the upload limit at the first upload, the breaker at the first call) used to be
/// bound then, from the file as it was: an edit since applied unannounced, and an invalid one threw inside each call.
/// </summary>
public sealed class SettingsReadOnceFacts : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("bo-read-once-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void ASectionFirstReadAfterAnEdit_IsTheOneStartUpValidated_NotTheEditedFile()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sources:0:Name"] = "inbox",
            ["Sources:0:Path"] = folder,
            ["LlamaCloud:UploadRateLimit:PermitLimit"] = "10",
        });
        builder.AddBatchCore();
        using var services = builder.Services.BuildServiceProvider();
        services.GetRequiredService<IStartupValidator>().Validate();

        // The operator edits the file while the service runs: one value valid, one not, one section never read yet.
        builder.Configuration["LlamaCloud:UploadRateLimit:PermitLimit"] = "200";
        builder.Configuration["LlamaCloud:CircuitBreaker:FailureRatio"] = "2";
        builder.Configuration["Pipeline:MaxFilesPerBatch"] = "0";

        Assert.Equal(10, services.GetRequiredService<IOptions<UploadRateLimitOptions>>().Value.PermitLimit);
        Assert.Equal(0.5, services.GetRequiredService<IOptions<CircuitBreakerOptions>>().Value.FailureRatio);
        Assert.Equal(1_000, services.GetRequiredService<IOptions<PipelineOptions>>().Value.MaxFilesPerBatch);
    }
}
