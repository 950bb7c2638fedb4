using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BatchOrchestrator.Core.Tests.LlamaCloud;

/// <summary>The client as production wires it (AddBatchCore), pointed at a Sandbox.</summary>
internal static class ClientHost
{
    public static ServiceProvider Build(
        Uri baseAddress, string? apiKey, int maxRetries = 2, IEnumerable<KeyValuePair<string, string?>>? settings = null, ILoggerProvider? logs = null,
        Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var configuration = new Dictionary<string, string?>
        {
            [LlamaCloudKey.BaseUrlVariable] = baseAddress.ToString(),
            [LlamaCloudKey.ApiKeyVariable] = apiKey,
            ["LlamaCloud:MaxRetries"] = maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings ?? [])
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddBatchCore();
        builder.Services.AddSingleton<IProjectPauseStore, MemoryPauseStore>(); // no database here
        if (logs is not null)
        {
            builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        }

        configure?.Invoke(builder.Services);
        return builder.Services.BuildServiceProvider();
    }

    /// <summary>The API in the key's own project.</summary>
    public static IBatchApi Api(this IServiceProvider services, ProjectScope scope = default) => services.GetRequiredService<IBatchApis>().For(scope);
}
