using BatchOrchestrator.Core.LlamaCloud;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BatchOrchestrator.Core.Tests.LlamaCloud;

/// <summary>The client as production wires it (AddBatchCore), pointed at a Sandbox.</summary>
internal static class ClientHost
{
    public static ServiceProvider Build(Uri baseAddress, string? apiKey, int maxRetries = 2)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [LlamaCloudKey.BaseUrlVariable] = baseAddress.ToString(),
            [LlamaCloudKey.ApiKeyVariable] = apiKey,
            ["LlamaCloud:MaxRetries"] = maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.AddBatchCore();
        return builder.Services.BuildServiceProvider();
    }
}
