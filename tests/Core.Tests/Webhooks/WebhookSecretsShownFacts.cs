using BatchOrchestrator.Core.Webhooks;

namespace BatchOrchestrator.Core.Tests.Webhooks;

/// <summary>
/// The webhook's signing secret and a gateway's token in Webhooks:PublicUrl are sent to LlamaCloud on every batch create,
/// and nowhere else: not in what the request's records print, nor in a refusal of the settings.
/// </summary>
public sealed class WebhookSecretsShownFacts
{
    private const string Secret = "whsec-CANARY-0a1b2c3d4e5f";
    private const string GatewayToken = "GWCANARY7f3e9d1c";

    [Fact]
    public void TheWebhookOfABatchCreate_CarriesTheSecretAndTheToken_ButItsTextShowsNeither()
    {
        var webhook = new WebhookConfiguration($"https://gw.example.com/hook?code={GatewayToken}", ["batch.success"], "json", Secret);
        var request = new CreateBatchRequest("dir-1", new RemoteBatchConfig(new RemoteBatchJob("parse_v2", "cfg-1")), [webhook]);

        var body = System.Text.Json.JsonSerializer.Serialize(request, LlamaCloudJsonContext.Default.CreateBatchRequest);
        Assert.Contains(Secret, body, StringComparison.Ordinal); // LlamaCloud needs both
        Assert.Contains(GatewayToken, body, StringComparison.Ordinal);
        foreach (var shown in new[] { webhook.ToString(), request.ToString(), $"{webhook}" })
        {
            Assert.DoesNotContain(Secret, shown, StringComparison.Ordinal);
            Assert.DoesNotContain(GatewayToken, shown, StringComparison.Ordinal);
        }

        Assert.Contains("https://gw.example.com/hook", webhook.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Secret)]
    [InlineData("CANARY-no-slash-secret-value")]
    public void TheSecretItself_GivenAsTheSecretFile_IsRefused_WithoutPrintingIt(string value)
    {
        var failure = Assert.Single(StartupChecks.Failures(new Dictionary<string, string?> { ["Webhooks:SigningSecretFile"] = value }));

        Assert.StartsWith("Webhooks:SigningSecretFile: no such file (the value is not shown: it may be the secret itself)", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void ASecretFilePathThatNamesNoFile_IsShown()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-secret-{Guid.NewGuid():N}");

        Assert.Equal([$"Webhooks:SigningSecretFile: file '{missing}' does not exist"], StartupChecks.Failures(new Dictionary<string, string?> { ["Webhooks:SigningSecretFile"] = missing }));
    }

    [Fact]
    public void APublicUrlWithoutItsScheme_IsRefused_WithoutTheTokenBeforeItsHost()
    {
        // "https://" forgotten: .NET reads "ops" as the scheme and keeps what follows as the path, token and all; what comes
        // before the "@" (a user name, or that scheme) is not shown.
        var failure = Assert.Single(StartupChecks.Failures(new Dictionary<string, string?>
        {
            ["Webhooks:PublicUrl"] = $"ops:{GatewayToken}@gw.example.com/llamacloud",
            [WebhookOptions.SecretVariable] = Secret,
        }));

        Assert.StartsWith("Webhooks:PublicUrl: '…@gw.example.com/llamacloud", failure, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayToken, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void ASecretFileThatIsAFolder_IsRefused_NamingTheKey()
    {
        var folder = Directory.CreateTempSubdirectory("bo-secret-").FullName;
        try
        {
            Assert.Equal(
                [$"Webhooks:SigningSecretFile: '{folder}' is a folder, not a file holding the signing secret"],
                StartupChecks.Failures(new Dictionary<string, string?> { ["Webhooks:SigningSecretFile"] = folder }));
        }
        finally
        {
            Directory.Delete(folder);
        }
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void ASecretFileThisUserCannotRead_StopsStartUp_NamingTheKey_NotWithAStackTrace()
    {
        Assert.SkipWhen(Environment.UserName == "root", "root reads every file; run as another user to see this");
        var file = Path.Combine(Directory.CreateTempSubdirectory("bo-secret-").FullName, "secret");
        File.WriteAllText(file, Secret);
        File.SetUnixFileMode(file, UnixFileMode.None);
        try
        {
            var failure = Assert.Single(StartupChecks.Failures(new Dictionary<string, string?> { ["Webhooks:SigningSecretFile"] = file }));

            Assert.StartsWith($"Webhooks:SigningSecretFile: file '{file}' cannot be read by this user", failure, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }
}
