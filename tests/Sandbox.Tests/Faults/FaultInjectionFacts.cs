namespace BatchOrchestrator.Sandbox.Tests.Faults;

public sealed class FaultInjectionFacts
{
    private const string UploadRoute = "POST /api/v1/beta/directories/{directory_id}/files/upload";

    [Fact]
    public async Task ErrorRate_Answers5xxBeforeTheEffect_SoTheUploadIsNotCounted()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var dir = await sandbox.CreateDirectoryAsync("e");
        await sandbox.Admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 503 }, routes = new[] { "/files/upload" } });

        var (status, body) = await sandbox.UploadAsync(dir, "a.txt", [1]);
        var list = await sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files");
        var counters = await sandbox.Admin.CountersJsonAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Service Unavailable", (string)body!["detail"]!);
        Assert.Empty(list["items"]!.AsArray());
        Assert.Equal(0, (int)counters["uploads_total"]!);
        Assert.Equal(1, (int)counters["faults_injected"]!["error"]!);
    }

    [Fact]
    public async Task ErrorAfterEffectRate_Answers5xx_ButTheUploadHappened()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var dir = await sandbox.CreateDirectoryAsync("e");
        await sandbox.Admin.SetFaultsAsync(new { error_after_effect_rate = 1.0, routes = new[] { "/files/upload" } });

        var (status, _) = await sandbox.UploadAsync(dir, "a.txt", [1]);
        var list = await sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files");

        Assert.True((int)status >= 500);
        Assert.Single(list["items"]!.AsArray());
        Assert.Equal(1, await sandbox.Admin.CounterAsync("uploads_total"));
    }

    [Fact]
    public async Task DropConnectionRate_AbortsTheConnection_BeforeTheEffect()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await sandbox.Admin.SetFaultsAsync(new { drop_connection_rate = 1.0, routes = new[] { "POST /api/v1/beta/directories" } });

        await Assert.ThrowsAsync<HttpRequestException>(() => sandbox.PostAsync("api/v1/beta/directories", new { name = "x" }));
        await sandbox.Admin.SetFaultsAsync(new { drop_connection_rate = 0.0 });
        var counters = await sandbox.Admin.CountersJsonAsync();

        Assert.Equal(0, (int)counters["directory_creates_total"]!);
        Assert.Equal(1, (int)counters["responses_by_status"]!["dropped"]!);
    }

    [Fact]
    public async Task DropAfterEffectRate_AbortsTheConnection_AfterTheEffect()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await sandbox.Admin.SetFaultsAsync(new { drop_after_effect_rate = 1.0, routes = new[] { "POST /api/v1/beta/directories" } });

        await Assert.ThrowsAsync<HttpRequestException>(() => sandbox.PostAsync("api/v1/beta/directories", new { name = "x" }));
        await sandbox.Admin.SetFaultsAsync(new { drop_after_effect_rate = 0.0 });
        var listed = await sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/directories?name=x");

        Assert.Single(listed["items"]!.AsArray());
        Assert.Equal(1, await sandbox.Admin.CounterAsync("directory_creates_total"));
    }

    [Fact]
    public async Task TruncatedJson_Is200WithHalfABody()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var dir = await sandbox.CreateDirectoryAsync("t");
        await sandbox.Admin.SetFaultsAsync(new { truncated_json_rate = 1.0, routes = new[] { "GET /api/v1/beta/directories/{directory_id}" } });

        using var response = await sandbox.Client.GetAsync($"api/v1/beta/directories/{dir}", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("{\"id\":\"dir-", text, StringComparison.Ordinal);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
    }

    [Fact]
    public async Task MalformedJson_Is200WithAnUnparseableBody()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await sandbox.Admin.SetFaultsAsync(new { malformed_json_rate = 1.0, routes = new[] { "GET /api/v2/batches" } });

        using var response = await sandbox.Client.GetAsync("api/v2/batches", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
    }

    [Fact]
    public async Task TooManyRequestsBurst_AnswersTheNextN429WithRetryHeaders_ThenRecovers()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await sandbox.Admin.SetFaultsAsync(new { too_many_requests_burst = 2, retry_after_ms = 1500 });

        using var first = await sandbox.Client.GetAsync("api/v2/batches", Ct);
        using var second = await sandbox.Client.GetAsync("api/v2/batches", Ct);
        using var third = await sandbox.Client.GetAsync("api/v2/batches", Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Equal("2", first.Headers.GetValues("Retry-After").Single());
        Assert.Equal("1500", first.Headers.GetValues("Retry-After-Ms").Single());
    }

    [Theory]
    [InlineData("seconds", true, false)]
    [InlineData("ms", false, true)]
    [InlineData("none", false, false)]
    public async Task RetryAfterFormat_ChoosesTheHeadersA429Carries(string format, bool seconds, bool millis)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await sandbox.Admin.SetFaultsAsync(new { too_many_requests_burst = 1, retry_after_ms = 2500, retry_after_format = format, should_retry_header = false });

        using var response = await sandbox.Client.GetAsync("api/v2/batches", Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(seconds, response.Headers.TryGetValues("Retry-After", out var s) && s.Single() == "3");
        Assert.Equal(millis, response.Headers.TryGetValues("Retry-After-Ms", out var m) && m.Single() == "2500");
        Assert.Equal("false", response.Headers.GetValues("x-should-retry").Single());
    }

    [Fact]
    public async Task RetryAfterFormatDate_SendsAnHttpDateAtLeastTheWaitAhead_AndShouldRetryMarksInjectedErrors()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await sandbox.Admin.SetFaultsAsync(new { too_many_requests_burst = 1, retry_after_ms = 5000, retry_after_format = "date" });

        using var limited = await sandbox.Client.GetAsync("api/v2/batches", Ct);
        await sandbox.Admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 503 }, should_retry_header = true });
        using var failed = await sandbox.Client.GetAsync("api/v2/batches", Ct);

        var date = limited.Headers.RetryAfter?.Date;
        Assert.NotNull(date);
        Assert.InRange((date!.Value - DateTimeOffset.UtcNow).TotalSeconds, 4, 7);
        Assert.False(limited.Headers.Contains("Retry-After-Ms"));
        Assert.Equal("true", failed.Headers.GetValues("x-should-retry").Single());
    }

    [Fact]
    public async Task UploadRateLimit_Answers429WithRetryAfter_AndTheUploadIsNotCounted()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.RateLimits["uploads"] = new SandboxRateLimit { PermitLimit = 2, Window = TimeSpan.FromSeconds(30) });
        var dir = await sandbox.CreateDirectoryAsync("rl");

        await sandbox.UploadTextAsync(dir, "1.txt", "x");
        await sandbox.UploadTextAsync(dir, "2.txt", "x");
        using var form = new MultipartFormDataContent { { new ByteArrayContent([1]), "upload_file", "3.txt" } };
        using var limited = await sandbox.Client.PostAsync($"api/v1/beta/directories/{dir}/files/upload", form, Ct);
        var otherRoute = await sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files");
        var counters = await sandbox.Admin.CountersJsonAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var seconds = int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var millis = int.Parse(limited.Headers.GetValues("Retry-After-Ms").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(seconds, 1, 30);
        Assert.InRange(millis, 1, 30_000);
        Assert.Equal(2, otherRoute["items"]!.AsArray().Count);
        Assert.Equal(2, (int)counters["uploads_total"]!);
        Assert.Equal(1, (int)counters["rate_limited_total"]!);
        Assert.Equal(3, (int)counters["requests_by_route"]![UploadRoute]!);
    }

    [Fact]
    public async Task RateLimits_CanBeChangedAtRunTime_AndResetRestoresThem()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await sandbox.Admin.SetFaultsAsync(new { rate_limits = new { other = new { permit_limit = 1, window_ms = 60_000 } } });

        var (first, _) = await sandbox.GetAsync("api/v2/batches");
        var (second, _) = await sandbox.GetAsync("api/v2/batches");
        await sandbox.PostAsync("_sandbox/reset");
        var (afterReset, _) = await sandbox.GetAsync("api/v2/batches");

        Assert.Equal(
            new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.OK },
            new[] { first, second, afterReset });
    }

    [Fact]
    public async Task Latency_DelaysMatchingRequestsOnly()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await sandbox.Admin.SetFaultsAsync(new { latency_ms = 600, routes = new[] { "GET /api/v2/batches" } });

        var slow = Stopwatch.StartNew();
        await sandbox.GetAsync("api/v2/batches");
        slow.Stop();
        var fast = Stopwatch.StartNew();
        await sandbox.GetAsync("api/v1/beta/directories");
        fast.Stop();

        Assert.True(slow.Elapsed >= TimeSpan.FromMilliseconds(590), $"took {slow.Elapsed}");
        Assert.True(fast.Elapsed < TimeSpan.FromMilliseconds(590), $"took {fast.Elapsed}");
    }

    [Fact]
    public async Task SlowUpload_ReadsTheBodyAtTheConfiguredRate()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var dir = await sandbox.CreateDirectoryAsync("s");
        await sandbox.Admin.SetFaultsAsync(new { slow_upload_bytes_per_second = 20_000 });

        var clock = Stopwatch.StartNew();
        var (status, _) = await sandbox.UploadAsync(dir, "a.bin", new byte[10_000]);
        clock.Stop();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(450), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task SameSeed_GivesTheSameFaultSequence()
    {
        async Task<string> RunAsync()
        {
            await using var sandbox = await TestSandbox.StartAsync(o =>
            {
                o.Seed = 42;
                o.Faults.ErrorRate = 0.5;
            });
            var statuses = new List<int>();
            for (var i = 0; i < 20; i++)
            {
                statuses.Add((int)(await sandbox.GetAsync("api/v2/batches")).Status);
            }

            return string.Join(',', statuses);
        }

        var first = await RunAsync();
        var second = await RunAsync();

        Assert.Equal(first, second);
        Assert.Contains("200", first, StringComparison.Ordinal);
        Assert.Contains("50", first, StringComparison.Ordinal);
    }
}
