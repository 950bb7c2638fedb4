namespace BatchOrchestrator.Sandbox.Tests.Auth;

public sealed class BearerAuthFacts
{
    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-key")]
    [InlineData("Basic bGx4LXRlc3Qta2V5")]
    [InlineData("Bearer")]
    public async Task ApiRequest_Is401WithFastApiDetail_WhenKeyMissingOrWrong(string? authorization)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var client = new HttpClient { BaseAddress = sandbox.Server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/beta/directories");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await client.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("""{"detail":"Invalid or missing API key"}""", body);
        Assert.DoesNotContain(TestSandbox.ApiKey, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiRequest_Succeeds_WithTheKeyInAnyCaseOfScheme()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var client = new HttpClient { BaseAddress = sandbox.Server.BaseAddress };
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "bearer " + TestSandbox.ApiKey);

        using var response = await client.GetAsync("api/v1/beta/directories", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ApiRequest_NeedsNoKey_WhenNoneIsConfigured()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.ApiKey = null);
        using var client = new HttpClient { BaseAddress = sandbox.Server.BaseAddress };

        using var response = await client.GetAsync("api/v2/batches", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AdminEndpoints_NeedNoKey()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var client = new HttpClient { BaseAddress = sandbox.Server.BaseAddress };

        using var counters = await client.GetAsync("_sandbox/counters", Ct);
        using var faults = await client.GetAsync("_sandbox/faults", Ct);

        Assert.Equal(HttpStatusCode.OK, counters.StatusCode);
        Assert.Equal(HttpStatusCode.OK, faults.StatusCode);
    }

    [Fact]
    public async Task Unauthorized_IsCountedAsA401Response()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var client = new HttpClient { BaseAddress = sandbox.Server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "nope");
        using var _ = await client.GetAsync("api/v2/batches", Ct);

        var counters = await sandbox.Admin.CountersJsonAsync();

        Assert.Equal(1, (int)counters["responses_by_status"]!["401"]!);
        Assert.Equal(1, (int)counters["requests_by_route"]!["GET /api/v2/batches"]!);
    }
}
