using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Sandbox;

namespace BatchOrchestrator.Worker.Sandbox;

/// <summary>
/// Decides, before the host is built, whether to talk to the in-process Sandbox: only when no key and
/// no base URL are configured. Then it picks the Sandbox's port and a throwaway key up front and
/// points the LlamaCloud client at it, so the client is wired like any other.
/// </summary>
internal static class SandboxMode
{
    public static void AddIfNoApiKey(IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (!Applies(configuration))
        {
            return;
        }

        var options = configuration.GetSection("Sandbox").Get<SandboxOptions>() ?? new SandboxOptions();
        options.Port = options.Port != 0 ? options.Port : FreePort();
        options.ApiKey = "sandbox-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{LlamaCloudOptions.SectionName}:BaseUrl"] = $"http://127.0.0.1:{options.Port}/",
            [LlamaCloudKey.ApiKeyVariable] = options.ApiKey,
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddHostedService<InProcessSandbox>();
    }

    /// <summary>True when the service would talk to the in-process Sandbox: no key and no base URL configured.</summary>
    public static bool Applies(IConfiguration configuration) => LlamaCloudKey.IsMissing(configuration) && !LlamaCloudKey.IsBaseUrlGiven(configuration);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
