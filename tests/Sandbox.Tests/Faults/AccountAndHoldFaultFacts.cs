namespace BatchOrchestrator.Sandbox.Tests.Faults;

/// <summary>
/// The faults the resilience tests stand on: a 402 and the (guessed) quota error on requests that would spend
/// credits only, requests held until released (to land a kill inside a step), a back end that moves only when
/// stepped, and multipart headers read as the service's parser is guessed to read them.
/// </summary>
public sealed class AccountAndHoldFaultFacts : SandboxPerTest
{
    [Fact]
    public async Task PaymentRequired_Refuses402_OnlyTheRequestsThatWouldSpendCredits_AndNothingTakesEffect()
    {
        var dir = await Sandbox.CreateDirectoryAsync("credits");
        await Sandbox.Admin.SetFaultsAsync(new { payment_required = true });

        var (upload, _) = await Sandbox.UploadAsync(dir, "a.txt", [1, 2, 3]);
        var (create, body) = await Sandbox.PostAsync("api/v2/batches", new { source_directory_id = dir, config = new { job = new { type = "parse_v2", configuration_id = "cfg-PARSE_AGENTIC" } } });
        var (parse, _) = await Sandbox.PostAsync("api/v2/parse", new { tier = "fast", version = "latest", file_id = "dfl-00000000-0000-4000-8000-000000000000" });
        var counters = await Sandbox.Admin.CountersJsonAsync();

        Assert.Equal(HttpStatusCode.OK, upload); // uploads spend no credits
        Assert.Equal(HttpStatusCode.PaymentRequired, create);
        Assert.Contains("credits", (string)body!["detail"]!, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.PaymentRequired, parse);
        Assert.Equal(0, (int)counters["batch_creates_total"]!);
        Assert.Equal(2, (int)counters["faults_injected"]!["payment_required"]!);

        await Sandbox.Admin.SetFaultsAsync(new { payment_required = false });
        var (afterTopUp, _) = await Sandbox.PostAsync("api/v2/parse", new { tier = "fast", version = "latest", file_id = "dfl-00000000-0000-4000-8000-000000000000" });
        Assert.Equal(HttpStatusCode.NotFound, afterTopUp); // the credit probe's all-clear: past the credit check, no such file, no job
    }

    [Theory]
    [InlineData(429)]
    [InlineData(403)]
    public async Task QuotaExceeded_AnswersTheConfiguredStatusAndDetail(int status)
    {
        var dir = await Sandbox.CreateDirectoryAsync("quota");
        await Sandbox.Admin.SetFaultsAsync(new { quota_exceeded = true, quota_status_code = status, quota_detail = "Monthly page quota exceeded" });

        var (answer, body) = await Sandbox.PostAsync("api/v2/batches", new { source_directory_id = dir, config = new { job = new { type = "parse_v2", configuration_id = "cfg-PARSE_AGENTIC" } } });

        Assert.Equal(status, (int)answer);
        Assert.Equal("Monthly page quota exceeded", (string)body!["detail"]!);
        var (bad, _) = await Sandbox.PostAsync("_sandbox/faults", new { quota_status_code = 500 });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad);
    }

    [Fact]
    public async Task HoldRequestsMatching_HoldsARequestUntilTheHoldIsLifted_ThenAnswersIt()
    {
        var dir = await Sandbox.CreateDirectoryAsync("held");
        await Sandbox.Admin.SetFaultsAsync(new { hold_requests_matching = "^GET /api/v1/beta/directories/\\{directory_id\\}$" });

        var held = Sandbox.GetAsync($"api/v1/beta/directories/{dir}");
        await Sandbox.WaitForCountersAsync(c => (int)c["requests_held_total"]! == 1);
        var other = await Sandbox.GetAsync("api/v1/beta/directories"); // another route is not held
        Assert.False(held.IsCompleted);
        Assert.Equal(HttpStatusCode.OK, other.Status);

        await Sandbox.Admin.SetFaultsAsync(new { hold_requests_matching = (string?)null });
        Assert.Equal(HttpStatusCode.OK, (await held).Status);
    }

    [Fact]
    public async Task HoldAfterEffect_LetsTheRequestTakeEffect_AndHoldsOnlyItsAnswer()
    {
        await Sandbox.Admin.SetFaultsAsync(new { hold_requests_matching = "^POST /api/v1/beta/directories$", hold_after_effect = true });

        var create = Sandbox.PostAsync("api/v1/beta/directories", new { name = "made-while-held" });
        await Sandbox.WaitForCountersAsync(c => (int)c["directory_creates_total"]! == 1 && (int)c["requests_held_total"]! == 1);
        Assert.False(create.IsCompleted);

        await Sandbox.Admin.SetFaultsAsync(new { hold_requests_matching = (string?)null });
        Assert.Equal("made-while-held", (string)(await create).Body!["name"]!);
    }

    [Fact]
    public async Task HoldAnswerStatus_AnswersTheHeldCreateAtOnce_AndAppliesItWhenTheHoldIsLifted()
    {
        var dir = await Sandbox.CreateDirectoryAsync("late");
        await Sandbox.UploadTextAsync(dir, "a.txt", "a");
        await Sandbox.Admin.SetFaultsAsync(new { hold_requests_matching = "^POST /api/v2/batches$", hold_answer_status = 502 });

        // A gateway's 502 while the server still works on it: nothing listed yet, so a client that looks now finds nothing.
        var (answer, _) = await Sandbox.PostAsync("api/v2/batches", new { source_directory_id = dir, config = new { job = new { type = "parse_v2", configuration_id = "cfg-PARSE_AGENTIC" } } });
        Assert.Equal(HttpStatusCode.BadGateway, answer);
        Assert.Equal(0, (int)(await Sandbox.Admin.CountersJsonAsync())["batch_creates_total"]!);

        await Sandbox.Admin.SetFaultsAsync(new { hold_requests_matching = (string?)null });
        await Sandbox.WaitForCountersAsync(c => (int)c["batch_creates_total"]! == 1);
        var listed = await Sandbox.OkAsync(HttpMethod.Get, $"api/v2/batches?source_directory_id={dir}");
        Assert.Single(listed["items"]!.AsArray());
        var (bad, _) = await Sandbox.PostAsync("_sandbox/faults", new { hold_answer_status = 200 });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad);
    }

    [Fact]
    public async Task ManualSteps_MoveTheBackEndOnlyWhenStepped()
    {
        await RestartSandboxAsync(o => { o.ManualSteps = true; o.MaxConcurrentBatches = 1; });
        var first = await Sandbox.CreateDirectoryAsync("one");
        var second = await Sandbox.CreateDirectoryAsync("two");
        await Sandbox.UploadTextAsync(first, "a.txt", "a");
        await Sandbox.UploadTextAsync(second, "b.txt", "b");
        var a = await Sandbox.CreateBatchAsync(first);
        var b = await Sandbox.CreateBatchAsync(second);

        await Sandbox.Admin.StepAsync();
        Assert.Equal("RUNNING", (string)(await Sandbox.OkAsync(HttpMethod.Get, $"api/v2/batches/{a}"))["status"]!);
        Assert.Equal("THROTTLED", (string)(await Sandbox.OkAsync(HttpMethod.Get, $"api/v2/batches/{b}"))["status"]!);
        Assert.Equal("THROTTLED", (string)(await Sandbox.OkAsync(HttpMethod.Get, $"api/v2/batches/{b}"))["status"]!); // no timer moves it on

        await Sandbox.Admin.StepAsync(5);
        Assert.Equal("COMPLETED", (string)(await Sandbox.OkAsync(HttpMethod.Get, $"api/v2/batches/{b}"))["status"]!);
    }

    [Theory]
    [InlineData("form-data; name=\"upload_file\"; filename=\"a_b.txt\"; filename*=utf-8''a%0Ab%20%C3%A9.txt", HttpStatusCode.OK, "a\nb é.txt")]
    [InlineData("form-data; name=\"upload_file\"; filename=\"a\nb.txt\"", HttpStatusCode.OK, "a\nb.txt")]
    [InlineData("form-data; name=\"upload_file\"; filename=\"a\rb.txt\"", HttpStatusCode.BadRequest, null)]
    public async Task UploadNames_AreReadAsTheServicesParserIsGuessedToReadThem(string disposition, HttpStatusCode expected, string? storedName)
    {
        var dir = await Sandbox.CreateDirectoryAsync("names");
        var body = "--B\r\nContent-Disposition: " + disposition + "\r\nContent-Type: application/octet-stream\r\n\r\nX\r\n--B--\r\n";
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=B");

        using var response = await Sandbox.Client.PostAsync($"api/v1/beta/directories/{dir}/files/upload", content, Ct);

        Assert.Equal(expected, response.StatusCode);
        if (storedName is not null)
        {
            var file = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
            var stored = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/files/{(string)file["file_id"]!}");
            Assert.Equal(storedName, (string)stored["name"]!);
        }
    }
}
