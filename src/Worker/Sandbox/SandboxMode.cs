using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Validation;
using BatchOrchestrator.Sandbox;

namespace BatchOrchestrator.Worker.Sandbox;

/// <summary>
/// Decides, before the host is built, whether to talk to the in-process Sandbox: only when no key and
/// no base URL are configured. Then it picks the Sandbox's port and a throwaway key up front and
/// points the LlamaCloud client at it, so the client is wired like any other.
/// </summary>
internal static class SandboxMode
{
    private const string SectionName = "Sandbox";

    /// <param name="builder">The host being built.</param>
    /// <param name="forVerb">
    /// A command-line verb's Sandbox takes a free port whatever <c>Sandbox:Port</c> says: that port is the running service's
    /// Sandbox, and a verb beside it would fail to start on it.
    /// </param>
    public static void AddIfNoApiKey(IHostApplicationBuilder builder, bool forVerb = false)
    {
        var configuration = builder.Configuration;
        if (!Applies(configuration))
        {
            return;
        }

        var section = configuration.GetSection(SectionName);
        var options = section.GetConvertible<SandboxOptions>();
        options.Port = options.Port != 0 && !forVerb ? options.Port : FreePort();
        options.ApiKey = "sandbox-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{LlamaCloudOptions.SectionName}:BaseUrl"] = $"http://127.0.0.1:{options.Port}/",
            [LlamaCloudKey.ApiKeyVariable] = options.ApiKey,
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddHostedService<InProcessSandbox>();
        AddCheck(builder);
    }

    /// <summary>
    /// Names a Sandbox setting of the wrong type (<c>Sandbox:StepDelay: '2s' is not a valid TimeSpan</c>) when start-up
    /// or <c>config check</c> validates, as every other section's. Only where the Sandbox would run: with a key, the
    /// section is not read, so the caller asks <see cref="Applies"/> first.
    /// </summary>
    public static void AddCheck(IHostApplicationBuilder builder) =>
        builder.Services.AddOptionsWithValidateOnStart<SandboxOptions>().BindStrictly(builder.Configuration.GetSection(SectionName));

    /// <summary>True when the service would talk to the in-process Sandbox: no key and no base URL configured.</summary>
    public static bool Applies(IConfiguration configuration) => LlamaCloudKey.IsMissing(configuration) && !LlamaCloudKey.IsBaseUrlGiven(configuration);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
