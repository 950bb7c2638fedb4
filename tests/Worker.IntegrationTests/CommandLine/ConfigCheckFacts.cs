namespace BatchOrchestrator.Worker.IntegrationTests.CommandLine;

/// <summary>
/// <c>config check</c> through the real host (as Program.cs builds it): each problem on one line naming its key,
/// and, when there is none, a summary that says what the service would use. It connects to nothing.
/// </summary>
public sealed class ConfigCheckFacts : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("bo-config-check-").FullName;

    public ConfigCheckFacts() => Directory.CreateDirectory(Path.Combine(root, "inbox"));

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public async Task ADashboardUserWithAnUnknownRole_IsNamed_RatherThanLeftOut()
    {
        var settings = Settings();
        settings["Dashboard:Users:0:Name"] = "ops";
        settings["Dashboard:Users:0:PasswordHash"] = "x";
        settings["Dashboard:Users:0:Role"] = "Boss";

        var (exitCode, _, output) = await WorkerHost.RunVerbSplitAsync(root, settings); // problems: stderr

        Assert.Equal(1, exitCode);
        Assert.Contains("  ✗ Dashboard:Users:0:Role: 'Boss' must be one of None, ReadOnly, Operator", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADashboardUserWithoutAHash_IsToldTheHashIsMissing_NotThatItIsMalformed()
    {
        var settings = Settings();
        settings["Dashboard:Users:0:Name"] = "ops";
        settings["Dashboard:Users:0:Role"] = "Operator";

        var (exitCode, _, output) = await WorkerHost.RunVerbSplitAsync(root, settings); // problems: stderr

        Assert.Equal(1, exitCode);
        Assert.Contains("  ✗ Dashboard:Users:0:PasswordHash: missing; set the hash 'config hash-secret' prints for this user's password", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailureOfASectionAnotherValidatorReads_IsListedOnce()
    {
        var settings = Settings();
        settings["Polling:Interval"] = "-00:00:05"; // Hangfire:Server's validator reads Polling too

        var (exitCode, _, output) = await WorkerHost.RunVerbSplitAsync(root, settings); // problems: stderr

        Assert.Equal(1, exitCode);
        Assert.Equal(1, Regex.Count(output, "Polling:Interval: "));
        Assert.Contains("1 problem in the configuration.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Problems_GoToStderr_WithANonZeroExit_WhileTheSuccessMessageStaysOnStdout()
    {
        // A script (or CI) that keeps stdout for the answer still shows why the configuration would stop the service.
        var settings = Settings();
        settings["Polling:Interval"] = "-00:00:05";

        var (exitCode, output, errors) = await WorkerHost.RunVerbSplitAsync(root, settings);
        var (validExit, validOutput, validErrors) = await WorkerHost.RunVerbSplitAsync(root, Settings());

        Assert.Equal(1, exitCode);
        Assert.Contains("  ✗ Polling:Interval: ", errors, StringComparison.Ordinal);
        Assert.Contains("1 problem in the configuration.", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("Polling:Interval", output, StringComparison.Ordinal);
        Assert.DoesNotContain("problem", output, StringComparison.Ordinal);
        Assert.Equal(0, validExit);
        Assert.StartsWith("Configuration is valid.", validOutput, StringComparison.Ordinal);
        Assert.Equal("", validErrors);
    }

    [Fact]
    public async Task WithNoKeyAndNoBaseUrl_TheSummarySaysTheServiceWouldUseTheInProcessSandbox()
    {
        var settings = Settings();
        settings["LLAMA_CLOUD_API_KEY"] = null;
        settings["LLAMA_CLOUD_BASE_URL"] = null;

        var (exitCode, output) = await WorkerHost.RunVerbAsync(root, settings);

        Assert.Equal(0, exitCode);
        Assert.Contains("API: the in-process Sandbox, nothing is sent to LlamaCloud", output, StringComparison.Ordinal);
        Assert.DoesNotContain("api.cloud.llamaindex.ai", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithAKey_TheSummaryNamesTheLlamaCloudAddress()
    {
        var settings = Settings();
        settings["LLAMA_CLOUD_BASE_URL"] = null;

        var (exitCode, output) = await WorkerHost.RunVerbAsync(root, settings);

        Assert.Equal(0, exitCode);
        Assert.Contains("API: LlamaCloud https://api.cloud.llamaindex.ai/ project default (key set).", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithTheEmbeddedDatabase_ItSaysWhetherItsFolderCouldBeCreated_AndCreatesNothing()
    {
        var settings = Settings();
        settings["Database:ConnectionString"] = null;
        settings["Database:Embedded:DataDirectory"] = Path.Combine(root, "data", "postgres");

        var (exitCode, output) = await WorkerHost.RunVerbAsync(root, settings);

        Assert.Equal(0, exitCode);
        Assert.Contains("Database: embedded PostgreSQL", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(root, "data")), "config check created the data folder (or its password file)");

        await File.WriteAllTextAsync(Path.Combine(root, "data"), "not a folder", TestContext.Current.CancellationToken);
        (exitCode, _, output) = await WorkerHost.RunVerbSplitAsync(root, settings);

        Assert.Equal(1, exitCode);
        Assert.Contains(
            $"  ✗ Database:Embedded:DataDirectory: '{Path.Combine(root, "data", "postgres")}' does not exist and cannot be created ('{Path.Combine(root, "data")}' is a file)",
            output,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("notaurl", 1)]
    [InlineData("http://127.0.0.1:5080;ftp//x", 1)]
    [InlineData("ftp://127.0.0.1:21", 1)]
    [InlineData("http://127.0.0.1:99999", 1)]
    [InlineData("http://localhost:abc", 1)]
    [InlineData("http://0.0.0.0:8080;http://+:8081;https://[::1]:8443;http://localhost", 0)]
    public async Task TheAddressesTheServiceListensOn_AreCheckedAsKestrelReadsThem(string urls, int exitCode)
    {
        var settings = Settings();
        settings["Urls"] = urls;

        var (exit, _, errors) = await WorkerHost.RunVerbSplitAsync(root, settings);

        Assert.Equal(exitCode, exit);
        Assert.Equal(exitCode, Regex.Count(errors, "  ✗ Urls: '[^']+' is not an address to listen on"));
    }

    [Fact]
    public async Task AMisspelledKey_IsSaid_WithTheSettingItMeant_AndTheShippedSettingsHaveNone()
    {
        File.Copy(Repository.PathOf("appsettings.json"), Path.Combine(root, "appsettings.json"));
        var settings = Settings();
        settings["Pipeline:UploadConcurency"] = "4";
        settings["Metrics:Pth"] = "/m"; // a section of the service's own, checked here as its start checks it

        var (exitCode, output) = await WorkerHost.RunVerbAsync(root, settings);

        // Said, not refused: the key may be another reader's. Every key of the shipped appsettings.json is read.
        Assert.True(exitCode == 0, output);
        Assert.Equal(
            [
                "  ! Metrics:Pth: not a setting, nothing reads it (did you mean Metrics:Path?)",
                "  ! Pipeline:UploadConcurency: not a setting, nothing reads it (did you mean Pipeline:UploadConcurrency?)",
            ],
            output.Split('\n').Where(l => l.StartsWith("  !", StringComparison.Ordinal)).Select(l => l.TrimEnd('\r')));
    }

    [Fact]
    public async Task WithNoSource_ItSaysNothingWouldBeScanned_AndWhereTheSettingsFileWasLookedFor()
    {
        // Run from a folder without appsettings.json (a published binary called from the home folder): valid, but the
        // service would scan nothing, as its start warns; the check says so too, rather than only "valid".
        var settings = Settings();
        settings.Remove("Sources:0:Name");
        settings.Remove("Sources:0:Path");

        var (exitCode, output, errors) = await WorkerHost.RunVerbSplitAsync(root, settings);

        Assert.Equal(0, exitCode);
        Assert.Equal("", errors);
        Assert.Contains(
            $"  ! No source is configured, so nothing is scanned: there is no {Path.Combine(root, "appsettings.json")} (settings are read from the folder the service was started in; start it in the folder holding them, or pass --contentRoot <folder>)",
            output,
            StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Settings() => new()
    {
        ["Verb:Name"] = "config-check",
        ["Database:ConnectionString"] = "Host=127.0.0.1;Port=9;Username=nobody", // never connected to
        ["LLAMA_CLOUD_API_KEY"] = "llx-never-used",
        ["LLAMA_CLOUD_BASE_URL"] = "http://127.0.0.1:9/",
        ["Sources:0:Name"] = "inbox",
        ["Sources:0:Path"] = "inbox",
    };
}
