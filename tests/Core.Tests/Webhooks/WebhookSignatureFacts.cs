using System.Security.Cryptography;
using BatchOrchestrator.Core.Webhooks;

namespace BatchOrchestrator.Core.Tests.Webhooks;

public sealed class WebhookSignatureFacts
{
    private const string Secret = "whsec-0123456789abcdef";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"event_type":"batch.success","data":{"id":"bat-1"}}""");

    [Fact]
    public void IsValid_AcceptsTheHexHmacOfTheRawBody()
    {
        var header = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Body));

        Assert.True(WebhookSignature.IsValid(Secret, Body, header));
        Assert.True(WebhookSignature.IsValid(Secret, Body, header.ToUpperInvariant().Replace("SHA256=", "sha256=", StringComparison.Ordinal)));
        Assert.Equal(header, WebhookSignature.Compute(Secret, Body));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256=")]
    [InlineData("sha1=0123")]
    [InlineData("sha256=zz")]
    [InlineData("sha256=0000000000000000000000000000000000000000000000000000000000000000")]
    public void IsValid_RefusesMissingMalformedOrWrongSignatures(string? header) =>
        Assert.False(WebhookSignature.IsValid(Secret, Body, header));

    [Fact]
    public void IsValid_RefusesATamperedBody_OrAnotherSecret()
    {
        var header = WebhookSignature.Compute(Secret, Body);
        var tampered = Encoding.UTF8.GetBytes("""{"event_type":"batch.success","data":{"id":"bat-2"}}""");

        Assert.False(WebhookSignature.IsValid(Secret, tampered, header));
        Assert.False(WebhookSignature.IsValid("another-secret-of-length", Body, header));
    }

    [Theory]
    [InlineData("""{"event_type":"batch.success","data":{"id":"bat-1","status":"COMPLETED"}}""", "batch.success", "bat-1")]
    [InlineData("\"{\\\"event_type\\\":\\\"batch.running\\\",\\\"data\\\":{\\\"id\\\":\\\"bat-2\\\"}}\"", "batch.running", "bat-2")]
    [InlineData("""{"event_type":"parse.success","id":"pjb-3"}""", "parse.success", "pjb-3")]
    public void WebhookEvent_ReadsTheEventAndSubject_AsAnObjectOrAJsonString(string body, string eventType, string subject)
    {
        var read = WebhookEvent.TryRead(Encoding.UTF8.GetBytes(body));

        Assert.Equal(new WebhookEvent(eventType, subject), read);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"data":{"id":"bat-1"}}""")]
    [InlineData("[1,2]")]
    public void WebhookEvent_IsNull_ForBodiesWithoutAnEventOrSubject(string body) =>
        Assert.Null(WebhookEvent.TryRead(Encoding.UTF8.GetBytes(body)));

    [Theory]
    [InlineData("00:00:00", false)]
    [InlineData("-00:01:00", false)]
    [InlineData("2.00:00:00", false)]
    [InlineData("00:15:00", true)]
    public void MissedAfter_MustBeMoreThanZeroAndAtMostADay_NamingTheKey(string missedAfter, bool valid)
    {
        var options = new WebhookOptions { MissedAfter = TimeSpan.Parse(missedAfter, System.Globalization.CultureInfo.InvariantCulture) };

        var result = new WebhookOptionsValidator().Validate(null, options);

        Assert.Equal(valid, result.Succeeded);
        Assert.Equal(valid, result.Failures?.Any(f => f.StartsWith("Webhooks:MissedAfter:", StringComparison.Ordinal)) != true);
    }

    [Theory]
    [InlineData("/webhooks/llamacloud", true)]
    [InlineData("/webhooks/llamacloud/", false)] // ASP.NET Core's Map would refuse it only when the service starts
    [InlineData("/", false)]
    [InlineData("webhooks", false)]
    public void Path_StartsWithASlash_AndDoesNotEndWithOne(string path, bool valid)
    {
        var result = new WebhookOptionsValidator().Validate(null, new WebhookOptions { Path = path });

        Assert.Equal(valid ? [] : [$"Webhooks:Path: '{path}' must start with '/' and not end with one"], result.Failures ?? []);
    }

    [Theory]
    [InlineData("http://hooks.example.com/llamacloud?code=gw-token-7f3a")]
    [InlineData("ftp://gateway:gw-token-7f3a@hooks.example.com/llamacloud")]
    [InlineData("llamacloud?code=gw-token-7f3a")]
    public void APublicUrlRefused_IsNamedWithoutWhatItsQueryOrUserInfoCarries(string url)
    {
        var options = new WebhookOptions { PublicUrl = new Uri(url, UriKind.RelativeOrAbsolute), SigningSecret = new string('s', 32) };

        var result = new WebhookOptionsValidator().Validate(null, options);

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Webhooks:PublicUrl: '", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("gw-token-7f3a", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("gw-token-7f3a", options.ToString(), StringComparison.Ordinal);
    }
}
