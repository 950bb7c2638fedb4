using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace BatchOrchestrator.Core.Tests.LlamaCloud;

/// <summary>
/// A base URL that is given is used, or refused naming where it came from: never replaced by the production
/// default, where the key (perhaps an EU one) would be sent instead.
/// </summary>
public sealed class BaseUrlFacts
{
    [Theory]
    [InlineData(LlamaCloudKey.BaseUrlVariable, "api.cloud.eu.llamaindex.ai")] // the scheme forgotten
    [InlineData(LlamaCloudKey.BaseUrlVariable, "/srv/llamacloud")] // an absolute path is a file: URL to Uri
    [InlineData("LlamaCloud:BaseUrl", "not-a-url")]
    [InlineData("LlamaCloud:BaseUrl", "ftp://api.cloud.eu.llamaindex.ai/")]
    public void ABaseUrlThatIsNotAnAbsoluteHttpsUrl_IsRefused_NamingWhereItCameFrom(string key, string value)
    {
        var failures = StartupChecks.Failures(new Dictionary<string, string?> { [LlamaCloudKey.ApiKeyVariable] = "llx-eu", [key] = value });

        Assert.Equal([$"{key}: '{value}' is not an absolute https URL; expected one such as https://api.cloud.eu.llamaindex.ai/ (the EU region), or leave it empty for https://api.cloud.llamaindex.ai/"], failures);
    }

    [Theory]
    [InlineData("https://user:SECRETPW@api.cloud.eu.llamaindex.ai/", "https://api.cloud.eu.llamaindex.ai/")]
    [InlineData("http://127.0.0.1:5190/?api_key=llx-QUERYSECRET", "http://127.0.0.1:5190/")]
    [InlineData("https://api.cloud.eu.llamaindex.ai/v1#llx-FRAGMENTSECRET", "https://api.cloud.eu.llamaindex.ai/v1")]
    public void ABaseUrlCarryingCredentialsOrAQuery_IsRefused_WithoutShowingThem(string value, string shown)
    {
        var failures = StartupChecks.Failures(new Dictionary<string, string?> { [LlamaCloudKey.ApiKeyVariable] = "llx-eu", ["LlamaCloud:BaseUrl"] = value });

        var failure = Assert.Single(failures);
        Assert.Equal(
            $"LlamaCloud:BaseUrl: '{shown}' was given with a user name, password, query or fragment, which are not shown here and must go: the API key goes in LLAMA_CLOUD_API_KEY or LlamaCloud:ApiKeyFile",
            failure);
        Assert.DoesNotContain("SECRET", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://alice:S3cretPW@host/", "ftp://…@host/")]
    [InlineData("https:/alice:S3cretPW@host/", "https:/…@host/")]
    [InlineData("api.cloud.eu.llamaindex.ai?key=S3cretNS", "api.cloud.eu.llamaindex.ai")]
    [InlineData("ftp://alice:S3cret?PW@host/", "ftp://…@host/")] // a '?' in the password: cut there, its first part was shown
    public void AnUnusableBaseUrl_IsShownWithoutWhatLooksLikeASecret(string value, string shown)
    {
        var failure = Assert.Single(StartupChecks.Failures(new Dictionary<string, string?> { [LlamaCloudKey.ApiKeyVariable] = "llx-eu", [LlamaCloudKey.BaseUrlVariable] = value }));

        Assert.StartsWith($"{LlamaCloudKey.BaseUrlVariable}: '{shown} (its user name, password, query or fragment not shown)' is not an absolute https URL", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("S3cret", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void APlainHttpBaseUrl_FromTheEnvironment_IsRefusedUnderThatName()
    {
        var failures = StartupChecks.Failures(new Dictionary<string, string?> { [LlamaCloudKey.BaseUrlVariable] = "http://llamacloud.example/" });

        Assert.StartsWith($"{LlamaCloudKey.BaseUrlVariable}: 'http://llamacloud.example/' must use https", Assert.Single(failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LlamaCloudKey.BaseUrlVariable, "https://api.cloud.eu.llamaindex.ai", "https://api.cloud.eu.llamaindex.ai/")]
    [InlineData("LlamaCloud:BaseUrl", "https://api.cloud.eu.llamaindex.ai/", "https://api.cloud.eu.llamaindex.ai/")]
    [InlineData(LlamaCloudKey.BaseUrlVariable, " ", "https://api.cloud.llamaindex.ai/")] // set to nothing: not given
    [InlineData("LlamaCloud:BaseUrl", " ", "https://api.cloud.llamaindex.ai/")]
    public void AGoodBaseUrl_IsUsed_AndNoneGivenMeansProduction(string key, string value, string expected)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [LlamaCloudKey.ApiKeyVariable] = "llx-eu", [key] = value });
        builder.AddBatchCore();
        using var services = builder.Services.BuildServiceProvider();

        Assert.Equal(new Uri(expected), services.GetRequiredService<IOptions<LlamaCloudOptions>>().Value.BaseUrl);
    }
}
