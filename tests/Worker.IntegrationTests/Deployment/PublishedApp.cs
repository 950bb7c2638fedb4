namespace BatchOrchestrator.Worker.IntegrationTests.Deployment;

/// <summary>
/// The Dockerfile's publish command, run once for every test of <see cref="PublishedAppFacts"/>: in the
/// configuration this test run was built in and without building again (a second full compile in Release
/// would add a minute to every CI run); the folder's layout is what the image gets.
/// </summary>
public sealed class PublishedApp : IAsyncLifetime
{
    /// <summary>The Dockerfile's publish step (it adds --no-restore after its own restore layer).</summary>
    public const string PublishCommand = "dotnet publish src/Worker/Worker.csproj -c Release -o /app";

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    public string Folder { get; } = Directory.CreateTempSubdirectory("bo-publish-").FullName;

    public string Dll => Path.Combine(Folder, "BatchOrchestrator.Worker.dll");

    public async ValueTask InitializeAsync()
    {
        var command = PublishCommand.Replace("-c Release", $"-c {Configuration} --no-build", StringComparison.Ordinal).Replace("/app", Folder, StringComparison.Ordinal);
        var (published, output) = await ManifestFacts.RunAsync("bash", "-c", $"cd '{Repository.Root}' && {command} -v q --nologo");
        if (published != 0)
        {
            throw new InvalidOperationException($"'{command}' failed: {output}");
        }
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}
