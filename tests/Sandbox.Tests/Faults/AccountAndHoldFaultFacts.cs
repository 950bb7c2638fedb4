using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace BatchOrchestrator.Sandbox.Tests.Faults;

/// <summary>
/// The faults the resilience tests stand on: a 402 and the (guessed) quota error on requests that would spend
/// credits only, requests held until released (to land a kill inside a step), a back end that moves only when
/// stepped, and multipart headers read as the service's parser is guessed to read them.
/// </summary>
public sealed class AccountAndHoldFaultFacts
{
    [Fact]
    public async Task PaymentRequired_Refuses402_OnlyTheRequestsThatWouldSpendCredits_AndNothingTakesEffect()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var dir = await sandbox.CreateDirectoryAsync("credits");
        await sandbox.Admin.SetFaultsAsync(new { payment_required = true });

        var (upload, _) = await sandbox.UploadAsync(dir, "a.txt", [1, 2, 3]);
        var (create, body) = await sandbox.PostAsync("api/v2/batches", new { source_directory_id = dir, config = new { job = new { type = "parse_v2", configuration_id = "cfg-PARSE_AGENTIC" } } });
        var (parse, _) = await sandbox.PostAsync("api/v2/parse", new { tier = "fast", version = "latest", file_id = "dfl-00000000-0000-4000-8000-000000000000" });
        var counters = await sandbox.Admin.CountersJsonAsync();

        Assert.Equal(HttpStatusCode.OK, upload); // uploads spend no credits
        Assert.Equal(HttpStatusCode.PaymentRequired, create);
        Assert.Contains("credits", (string)body!["detail"]!, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.PaymentRequired, parse);
        Assert.Equal(0, (int)counters["batch_creates_total"]!);
        Assert.Equal(2, (int)counters["faults_injected"]!["payment_required"]!);

        await sandbox.Admin.SetFaultsAsync(new { payment_required = false });
        var (afterTopUp, _) = await sandbox.PostAsync("api/v2/parse", new { tier = "fast", version = "latest", file_id = "dfl-00000000-0000-4000-8000-000000000000" });
        Assert.Equal(HttpStatusCode.NotFound, afterTopUp); // the credit probe's all-clear: past the credit check, no such file, no job
    }

    [Theory]
    [InlineData(429)]
    [InlineData(403)]
    public async Task QuotaExceeded_AnswersTheConfiguredStatusAndDetail(int status)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var dir = await sandbox.CreateDirectoryAsync("quota");
        await sandbox.Admin.SetFaultsAsync(new { quota_exceeded = true, quota_status_code = status, quota_detail = "Monthly page quota exceeded" });

        var (answer, body) = await sandbox.PostAsync("api/v2/batches", new { source_directory_id = dir, config = new { job = new { type = "parse_v2", configuration_id = "cfg-PARSE_AGENTIC" } } });

        Assert.Equal(status, (int)answer);
        Assert.Equal("Monthly page quota exceeded", (string)body!["detail"]!);
        var (bad, _) = await sandbox.PostAsync("_sandbox/faults", new { quota_status_code = 500 });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad);
    }

    [Fact]
    public async Task HoldRequestsMatching_HoldsARequestUntilTheHoldIsLifted_ThenAnswersIt()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var dir = await sandbox.CreateDirectoryAsync("held");
        await sandbox.Admin.SetFaultsAsync(new { hold_requests_matching = "^GET /api/v1/beta/directories/\\{directory_id\\}$" });

        var held = sandbox.GetAsync($"api/v1/beta/directories/{dir}");
        await sandbox.WaitForCountersAsync(c => (int)c["requests_held_total"]! == 1);
        var other = await sandbox.GetAsync("api/v1/beta/directories"); // another route is not held
        Assert.False(held.IsCompleted);
        Assert.Equal(HttpStatusCode.OK, other.Status);

        await sandbox.Admin.SetFaultsAsync(new { hold_requests_matching = (string?)null });
        Assert.Equal(HttpStatusCode.OK, (await held).Status);
    }

    [Fact]
    public async Task HoldAfterEffect_LetsTheRequestTakeEffect_AndHoldsOnlyItsAnswer()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await sandbox.Admin.SetFaultsAsync(new { hold_requests_matching = "^POST /api/v1/beta/directories$", hold_after_effect = true });

        var create = sandbox.PostAsync("api/v1/beta/directories", new { name = "made-while-held" });
        await sandbox.WaitForCountersAsync(c => (int)c["directory_creates_total"]! == 1 && (int)c["requests_held_total"]! == 1);
        Assert.False(create.IsCompleted);

        await sandbox.Admin.SetFaultsAsync(new { hold_requests_matching = (string?)null });
        Assert.Equal("made-while-held", (string)(await create).Body!["name"]!);
    }

    [Fact]
    public async Task ManualSteps_MoveTheBackEndOnlyWhenStepped()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => { o.ManualSteps = true; o.MaxConcurrentBatches = 1; });
        var first = await sandbox.CreateDirectoryAsync("one");
        var second = await sandbox.CreateDirectoryAsync("two");
        await sandbox.UploadTextAsync(first, "a.txt", "a");
        await sandbox.UploadTextAsync(second, "b.txt", "b");
        var a = await sandbox.CreateBatchAsync(first);
        var b = await sandbox.CreateBatchAsync(second);

        await sandbox.Admin.StepAsync();
        Assert.Equal("RUNNING", (string)(await sandbox.OkAsync(HttpMethod.Get, $"api/v2/batches/{a}"))["status"]!);
        Assert.Equal("THROTTLED", (string)(await sandbox.OkAsync(HttpMethod.Get, $"api/v2/batches/{b}"))["status"]!);
        Assert.Equal("THROTTLED", (string)(await sandbox.OkAsync(HttpMethod.Get, $"api/v2/batches/{b}"))["status"]!); // no timer moves it on

        await sandbox.Admin.StepAsync(5);
        Assert.Equal("COMPLETED", (string)(await sandbox.OkAsync(HttpMethod.Get, $"api/v2/batches/{b}"))["status"]!);
    }

    [Theory]
    [InlineData("form-data; name=\"upload_file\"; filename=\"a_b.txt\"; filename*=utf-8''a%0Ab%20%C3%A9.txt", HttpStatusCode.OK, "a\nb é.txt")]
    [InlineData("form-data; name=\"upload_file\"; filename=\"a\nb.txt\"", HttpStatusCode.OK, "a\nb.txt")]
    [InlineData("form-data; name=\"upload_file\"; filename=\"a\rb.txt\"", HttpStatusCode.BadRequest, null)]
    public async Task UploadNames_AreReadAsTheServicesParserIsGuessedToReadThem(string disposition, HttpStatusCode expected, string? storedName)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var dir = await sandbox.CreateDirectoryAsync("names");
        var body = "--B\r\nContent-Disposition: " + disposition + "\r\nContent-Type: application/octet-stream\r\n\r\nX\r\n--B--\r\n";
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=B");

        using var response = await sandbox.Client.PostAsync($"api/v1/beta/directories/{dir}/files/upload", content, TestSandbox.Ct);

        Assert.Equal(expected, response.StatusCode);
        if (storedName is not null)
        {
            var file = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestSandbox.Ct))!;
            var stored = await sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/files/{(string)file["file_id"]!}");
            Assert.Equal(storedName, (string)stored["name"]!);
        }
    }
}
