namespace BatchOrchestrator.Worker.IntegrationTests.Deployment;

/// <summary>
/// The container's payload without a container: the Dockerfile's publish command, then the app started
/// from that folder with the image's settings, answering /healthz, passing the image's own HEALTHCHECK
/// command, and stopping cleanly on SIGTERM; and the same app's first run as root from a folder the
/// postgres user cannot enter, on its embedded database.
/// </summary>
public sealed class PublishedAppFacts(PostgresServerFixture server, PublishedApp published) : EnvironmentFacts(server), IClassFixture<PublishedApp>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task ThePublishedApp_StartsFromItsFolder_AnswersHealthz_AndPassesTheImageHealthcheck()
    {
        Assert.True(File.Exists(Path.Combine(published.Folder, "appsettings.json")), "appsettings.json ships beside the binary");
        var port = LoopbackPort.Unused();
        var settings = Env.Settings();
        settings["Urls"] = $"http://127.0.0.1:{port}"; // the image says http://+:8080
        settings["Logs:Format"] = "Json";
        settings["Sources:0:Path"] = Env.Inbox;
        await using var app = WorkerProcess.Start(published.Folder, ["run"], settings, published.Dll);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        await WaitUntilReadyAsync(app, http);

        var (healthcheck, healthcheckOutput) = await ManifestFacts.RunAsync("bash", "-c", ManifestFacts.HealthcheckCommand().Replace("8080", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        Assert.True(healthcheck == 0, healthcheckOutput);

        await app.StopAsync();
        Assert.True(app.HasExited);
        Assert.All(app.Output, line => Assert.StartsWith("{\"@t\":", line, StringComparison.Ordinal)); // JSON when told, one object per line
        Assert.Contains(app.Output, line => line.Contains("\"SourceContext\":\"Hangfire", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AsRootFromAFolderPostgresCannotEnter_TheEmbeddedServerKeepsItsDataWhereItCan_SaysWhere_AndTheAppGetsReady()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Skip("needs root: the case is root's own clone in /root, mode 700 (CI runs as root)");
        }

        // A clone inside a home folder of mode 700, as /root is: the postgres user cannot enter it.
        var home = Directory.CreateTempSubdirectory("bo-root-home-").FullName;
        Assert.Equal(0, (await ManifestFacts.RunAsync("chmod", "700", home)).ExitCode);
        var clone = Directory.CreateDirectory(Path.Combine(home, "clone")).FullName;
        Directory.CreateDirectory(Path.Combine(clone, "inbox"));
        string? moved = null;
        try
        {
            var port = LoopbackPort.Unused();
            var settings = Env.Settings(connectionString: ""); // no server configured: the embedded one, from the machine's binaries
            settings["Urls"] = $"http://127.0.0.1:{port}";
            settings["Logs:Format"] = "Json";
            settings["Sources:0:Path"] = "inbox";
            settings["Database:Embedded:Durable"] = "false";
            // Its own port, chosen with the app's: left to pick a free one itself, the embedded server once took the port
            // chosen above for the app (free until the app binds it), and the app could not start.
            settings["Database:Embedded:Port"] = LoopbackPort.Unused(except: port).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await using var app = WorkerProcess.Start(clone, ["run"], settings, published.Dll);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

            await WaitUntilReadyAsync(app, http);
            var said = Assert.Single(app.Output, l => l.Contains("cannot enter", StringComparison.Ordinal));
            moved = System.Text.RegularExpressions.Regex.Match(said, "\"DataDirectory\":\"(?<dir>[^\"]+)\"").Groups["dir"].Value;
            await app.StopAsync();

            Assert.StartsWith("/var/lib/batch-orchestrator/postgres-", moved, StringComparison.Ordinal);
            Assert.Contains($"\"Folder\":\"{clone}/data\"", said, StringComparison.Ordinal);
            Assert.Contains(moved, await File.ReadAllTextAsync(Path.Combine(clone, "data", "postgres", "MOVED.txt"), Ct), StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(moved, "cluster", "PG_VERSION")), "the cluster is in the folder the log names");
            Assert.False(File.Exists(Path.Combine(moved, "cluster", "postmaster.pid")), "the embedded server stopped with the app");
            Assert.Equal("postgres", (await ManifestFacts.RunAsync("stat", "-c", "%U", moved)).Output.Trim());
            Assert.Equal(0, app.ExitCode);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
            if (moved is { Length: > 0 } && moved.StartsWith("/var/lib/batch-orchestrator/", StringComparison.Ordinal))
            {
                Directory.Delete(moved, recursive: true);
            }
        }
    }

    private static Task WaitUntilReadyAsync(WorkerProcess app, HttpClient http) => Eventually.WaitAsync(
        async () =>
        {
            Assert.False(app.HasExited, string.Join('\n', app.Output.Concat(app.Errors)));
            try
            {
                using var response = await http.GetAsync(new Uri("readyz", UriKind.Relative), Ct);
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        },
        Patience,
        "the published app to answer /readyz with 200");
}
