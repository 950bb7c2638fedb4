using System.Net;
using System.Net.Sockets;
using BatchOrchestrator.TestSupport;

namespace BatchOrchestrator.Worker.Tests.Deployment;

/// <summary>
/// The container's payload without a container: the Dockerfile's publish command, then the app started
/// from that folder with the image's settings, answering /healthz, passing the image's own HEALTHCHECK
/// command, and stopping cleanly on SIGTERM.
/// </summary>
public sealed class PublishedAppFacts(PostgresServerFixture server) : IAsyncLifetime
{
    /// <summary>The Dockerfile's publish step (it adds --no-restore after its own restore layer).</summary>
    public const string PublishCommand = "dotnet publish src/Worker/Worker.csproj -c Release -o /app";

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private TestEnvironment env = null!;
    private string publishFolder = null!;

    public async ValueTask InitializeAsync()
    {
        env = await TestEnvironment.CreateAsync(server, "publish");
        publishFolder = Directory.CreateTempSubdirectory("bo-publish-").FullName;
    }

    public async ValueTask DisposeAsync()
    {
        await env.DisposeAsync();
        Directory.Delete(publishFolder, recursive: true);
    }

    [Fact]
    public async Task ThePublishedApp_StartsFromItsFolder_AnswersHealthz_AndPassesTheImageHealthcheck()
    {
        // The Dockerfile's command, in the configuration this test run was built in and without building again:
        // the folder's layout (binary, deps, runtimeconfig, appsettings.json) is what the image gets; a second
        // full compile in Release would add a minute to every CI run.
        var command = PublishCommand.Replace("-c Release", $"-c {Configuration} --no-build", StringComparison.Ordinal).Replace("/app", publishFolder, StringComparison.Ordinal);
        var (published, output) = await ManifestFacts.RunAsync("bash", "-c", $"cd '{Repository.Root}' && {command} -v q --nologo");
        Assert.True(published == 0, output);
        Assert.True(File.Exists(Path.Combine(publishFolder, "appsettings.json")), "appsettings.json ships beside the binary");

        var port = FreePort();
        var settings = env.Settings();
        settings["Urls"] = $"http://127.0.0.1:{port}"; // the image says http://+:8080
        settings["Logs:Format"] = "Json";
        settings["Sources:0:Path"] = env.Inbox;
        await using var app = WorkerProcess.Start(publishFolder, ["run"], settings, Path.Combine(publishFolder, "BatchOrchestrator.Worker.dll"));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        await Eventually.WaitAsync(
            async () =>
            {
                Assert.False(app.HasExited, string.Join('\n', app.Output.Concat(app.Errors)));
                try
                {
                    using var response = await http.GetAsync(new Uri("healthz", UriKind.Relative), TestContext.Current.CancellationToken);
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(90),
            "the published app to answer /healthz");

        using (var ready = await http.GetAsync(new Uri("readyz", UriKind.Relative), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        var (healthcheck, healthcheckOutput) = await ManifestFacts.RunAsync("bash", "-c", ManifestFacts.HealthcheckCommand().Replace("8080", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        Assert.True(healthcheck == 0, healthcheckOutput);

        await app.StopAsync();
        Assert.True(app.HasExited);
        Assert.All(app.Output, line => Assert.StartsWith("{\"@t\":", line, StringComparison.Ordinal)); // JSON when told, one object per line
        Assert.Contains(app.Output, line => line.Contains("\"SourceContext\":\"Hangfire", StringComparison.Ordinal));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
