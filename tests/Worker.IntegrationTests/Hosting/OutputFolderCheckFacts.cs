namespace BatchOrchestrator.Worker.IntegrationTests.Hosting;

/// <summary>The service refuses to start when the FileSystem sink could not write a single result, naming the key to fix.</summary>
public sealed class OutputFolderCheckFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    [Fact]
    public async Task AnOutputFolderThatCannotBeCreated_StopsStartUp_NamingTheKey()
    {
        // Below a regular file: no folder can be made there, whoever runs the test (root included).
        var blocker = Path.Combine(Env.Root, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "x", Ct);
        var settings = Env.Settings();
        settings["FollowUp:OutputPath"] = Path.Combine(blocker, "output");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => WorkerHost.StartAsync(Env.Root, settings));

        Assert.StartsWith("FollowUp:OutputPath: the FileSystem sink cannot write source e2e's results to", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutTheFileSystemSink_TheSameSettingIsNoObstacle()
    {
        var blocker = Path.Combine(Env.Root, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "x", Ct);
        var settings = Env.Settings();
        settings["FollowUp:OutputPath"] = Path.Combine(blocker, "output");
        settings["FollowUp:Sinks:0"] = "Postgres";

        await using var host = await WorkerHost.StartAsync(Env.Root, settings);
        using var http = new HttpClient { BaseAddress = host.Address };

        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(new Uri("healthz", UriKind.Relative), Ct)).StatusCode);
    }
}
