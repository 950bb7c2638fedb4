using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace BatchOrchestrator.Core.Tests.LlamaCloud;

/// <summary>
/// A key that is given is used, trimmed, or start-up is refused naming where it came from, without printing it: a key
/// file left empty (Ctrl-D before the paste of docs/deployment.md), a folder, a file this user cannot read, or a key
/// with a line break or space inside (two keys pasted, a comment) would otherwise start the service against LlamaCloud
/// with a key it refuses on every request, or stop it with a stack trace.
/// </summary>
public sealed class ApiKeyFacts : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("api-key-").FullName;

    [Theory]
    [InlineData("llx-CANARYKEY\n")]
    [InlineData("llx-CANARYKEY\r\n")]
    [InlineData("  llx-CANARYKEY \n\n")]
    public void AKeyFile_WithTheKeyOnOneLine_IsUsedTrimmed(string content)
    {
        var file = Write("key", content);

        Assert.Empty(StartupChecks.Failures(new Dictionary<string, string?> { ["LlamaCloud:ApiKeyFile"] = file }));
        Assert.Equal("llx-CANARYKEY", Resolved(new Dictionary<string, string?> { ["LlamaCloud:ApiKeyFile"] = file }).ApiKey);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \n")]
    public void AnEmptyKeyFile_StopsStartUp_NamingTheKey(string content)
    {
        var file = Write("key", content);

        var failure = Assert.Single(StartupChecks.Failures(new Dictionary<string, string?> { ["LlamaCloud:ApiKeyFile"] = file }));

        Assert.Equal($"LlamaCloud:ApiKeyFile: file '{file}' is empty; put the API key in it, or leave LlamaCloud:ApiKeyFile empty to use the in-process Sandbox", failure);
    }

    [Fact]
    public void AKeyPutInTheSettings_StopsStartUp_WithoutPrintingIt_RatherThanRunningAgainstTheSandbox()
    {
        var failure = Assert.Single(StartupChecks.Failures(new Dictionary<string, string?> { ["LlamaCloud:ApiKey"] = "llx-CANARYKEY" }));

        Assert.StartsWith("LlamaCloud:ApiKey: a key is never read from the settings (the value is not shown); give it in LLAMA_CLOUD_API_KEY", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", failure, StringComparison.Ordinal);
        Assert.Empty(StartupChecks.Failures(new Dictionary<string, string?> { ["LlamaCloud:ApiKey"] = "" })); // set to nothing: not given
    }

    [Fact]
    public void AKeyFileThatIsAFolder_IsSaidToBeOne()
    {
        var failure = Assert.Single(StartupChecks.Failures(new Dictionary<string, string?> { ["LlamaCloud:ApiKeyFile"] = folder }));

        Assert.Equal($"LlamaCloud:ApiKeyFile: '{folder}' is a folder, not a file holding the API key", failure);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void AKeyFileThisUserCannotRead_StopsStartUp_NamingTheKey_NotWithAStackTrace()
    {
        Assert.SkipWhen(Environment.UserName == "root", "root reads every file; run as another user to see this");
        var file = Write("key", "llx-CANARYKEY\n");
        File.SetUnixFileMode(file, UnixFileMode.None);

        var failure = Assert.Single(StartupChecks.Failures(new Dictionary<string, string?> { ["LlamaCloud:ApiKeyFile"] = file }));

        Assert.StartsWith($"LlamaCloud:ApiKeyFile: file '{file}' cannot be read by this user", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LlamaCloudKey.ApiKeyVariable, "llx-CANARYKEY\nllx-OTHERKEY")]
    [InlineData(LlamaCloudKey.ApiKeyVariable, "llx-CANARY KEY")]
    [InlineData("LlamaCloud:ApiKeyFile", "llx-CANARYKEY\nllx-OTHERKEY\n")]
    [InlineData("LlamaCloud:ApiKeyFile", "# the key\nllx-CANARYKEY\n")]
    public void AKeyWithABreakOrSpaceInside_IsRefused_WithoutPrintingIt(string key, string value)
    {
        var given = key == LlamaCloudKey.ApiKeyVariable ? value : Write("key", value);

        var failure = Assert.Single(StartupChecks.Failures(new Dictionary<string, string?> { [key] = given }));

        Assert.StartsWith($"{key}: the API key has a line break or space inside it", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("llx-CANARYKEY")]
    [InlineData("CANARYKEY")]
    public void TheKeyItself_GivenAsTheKeyFile_IsRefused_WithoutPrintingIt(string value)
    {
        var failure = Assert.Single(StartupChecks.Failures(new Dictionary<string, string?> { ["LlamaCloud:ApiKeyFile"] = value }));

        Assert.StartsWith("LlamaCloud:ApiKeyFile: no such file (the value is not shown: it may be the key itself)", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void AKeyFilePathThatNamesNoFile_IsShown()
    {
        var missing = Path.Combine(folder, "nokey");

        Assert.Equal([$"LlamaCloud:ApiKeyFile: file '{missing}' does not exist"], StartupChecks.Failures(new Dictionary<string, string?> { ["LlamaCloud:ApiKeyFile"] = missing }));
    }

    [Fact]
    public void TheEnvironmentKey_WinsOverAnEmptyKeyFile()
    {
        var file = Write("key", "");

        Assert.Empty(StartupChecks.Failures(new Dictionary<string, string?> { [LlamaCloudKey.ApiKeyVariable] = "llx-CANARYKEY\n", ["LlamaCloud:ApiKeyFile"] = file }));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static LlamaCloudOptions Resolved(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddBatchCore();
        using var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<IOptions<LlamaCloudOptions>>().Value;
    }
}
