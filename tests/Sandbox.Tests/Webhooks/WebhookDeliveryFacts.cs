using System.Security.Cryptography;

namespace BatchOrchestrator.Sandbox.Tests.Webhooks;

public sealed class WebhookDeliveryFacts
{
    private static JsonNode Payload(WebhookReceiver.Delivery delivery) => JsonNode.Parse(delivery.Body)!;

    private static string EventOf(WebhookReceiver.Delivery delivery) => (string)Payload(delivery)["event_type"]!;

    [Fact]
    public async Task Batch_DeliversPendingRunningSuccess_SignedWithTheSecret_WithCustomHeaders()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = await TestSandbox.StartAsync();
        var (dir, _) = await sandbox.DirectoryWithTextFileAsync("w", "a.txt", "x");

        var batch = await sandbox.CreateBatchAsync(dir, extra: new
        {
            webhook_configurations = new[]
            {
                new { webhook_url = receiver.Url, webhook_output_format = "json", webhook_signing_secret = "s3cret", webhook_headers = new Dictionary<string, string> { ["X-Token"] = "abc" } },
            },
        });
        var deliveries = await receiver.WaitForAsync(3);

        Assert.Equal(new[] { "batch.pending", "batch.running", "batch.success" }, deliveries.Select(EventOf));
        Assert.All(deliveries, d =>
        {
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData("s3cret"u8.ToArray(), d.Body));
            Assert.Equal(expected, d.Headers["LC-Signature"]);
            Assert.Equal("abc", d.Headers["X-Token"]);
            Assert.Equal(batch, (string)Payload(d)["data"]!["id"]!);
        });
        var success = Payload(deliveries[2]);
        Assert.Equal("COMPLETED", (string)success["data"]!["status"]!);
        Assert.Single(success["data"]!["results"]!.AsArray());

        // The Sandbox counts a delivery once the receiver has answered, which can be just after the receiver
        // recorded it: wait for the count rather than read it once.
        await sandbox.WaitForCounterAsync("webhook_deliveries_total", 3);
    }

    [Fact]
    public async Task DefaultStringFormat_SendsThePayloadAsAJsonString_WithoutSignatureWhenNoSecret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = await TestSandbox.StartAsync();
        var dir = await sandbox.CreateDirectoryAsync("w");

        await sandbox.CreateBatchAsync(dir, extra: new { webhook_configurations = new[] { new { webhook_url = receiver.Url, webhook_events = new[] { "batch.success" } } } });
        var delivery = (await receiver.WaitForAsync(1))[0];

        var outer = JsonNode.Parse(delivery.Body)!;
        var inner = JsonNode.Parse((string)outer!)!;
        Assert.Equal("batch.success", (string)inner["event_type"]!);
        Assert.False(delivery.Headers.ContainsKey("LC-Signature"));
    }

    [Fact]
    public async Task WebhookEvents_FilterWhatIsDelivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = await TestSandbox.StartAsync();
        var dir = await sandbox.CreateDirectoryAsync("w");

        var batch = await sandbox.CreateBatchAsync(dir, extra: new { webhook_configurations = new[] { new { webhook_url = receiver.Url, webhook_output_format = "json", webhook_events = new[] { "batch.success" } } } });
        await sandbox.WaitForBatchAsync(batch, "COMPLETED");
        await receiver.WaitForAsync(1);
        await sandbox.WaitForCounterAsync("webhook_deliveries_total", 1);

        Assert.Equal(new[] { "batch.success" }, receiver.Deliveries.Select(EventOf));
    }

    [Fact]
    public async Task FailedDeliveries_AreRetried_UntilTheReceiverAccepts()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: 2);
        await using var sandbox = await TestSandbox.StartAsync(o => o.WebhookRetryDelay = TimeSpan.FromMilliseconds(20));
        var dir = await sandbox.CreateDirectoryAsync("w");

        await sandbox.CreateBatchAsync(dir, extra: new { webhook_configurations = new[] { new { webhook_url = receiver.Url, webhook_output_format = "json", webhook_events = new[] { "batch.pending" } } } });
        var delivery = (await receiver.WaitForAsync(1))[0];
        // The Sandbox counts a delivery once the receiver's answer is back, which may be just after the receiver saw it.
        var counters = await sandbox.WaitForCountersAsync(c => c["webhook_deliveries_by_event"]?["batch.pending"] is not null);

        Assert.Equal("batch.pending", EventOf(delivery));
        Assert.Equal(2, receiver.Refused);
        Assert.Equal(2, (int)counters["webhook_delivery_failures_total"]!);
        Assert.Equal(1, (int)counters["webhook_deliveries_by_event"]!["batch.pending"]!);
    }

    [Fact]
    public async Task Deliveries_AreGivenUp_AfterMaxAttempts()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: 100);
        await using var sandbox = await TestSandbox.StartAsync(o =>
        {
            o.WebhookRetryDelay = TimeSpan.FromMilliseconds(5);
            o.WebhookMaxAttempts = 3;
        });
        var dir = await sandbox.CreateDirectoryAsync("w");

        await sandbox.CreateBatchAsync(dir, extra: new { webhook_configurations = new[] { new { webhook_url = receiver.Url, webhook_events = new[] { "batch.pending" } } } });
        await sandbox.WaitForCounterAsync("webhook_delivery_failures_total", 3);

        Assert.Equal(0, await sandbox.Admin.CounterAsync("webhook_deliveries_total"));
        Assert.Equal(3, receiver.Refused);
    }

    [Fact]
    public async Task OutOfOrderFault_DeliversABatchsEventsNewestFirst()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = await TestSandbox.StartAsync(o => o.Faults.WebhooksOutOfOrder = true);
        var dir = await sandbox.CreateDirectoryAsync("w");

        await sandbox.CreateBatchAsync(dir, extra: new { webhook_configurations = new[] { new { webhook_url = receiver.Url, webhook_output_format = "json" } } });
        var deliveries = await receiver.WaitForAsync(3);

        Assert.Equal(new[] { "batch.success", "batch.running", "batch.pending" }, deliveries.Select(EventOf));
    }

    [Fact]
    public async Task WebhookDropRate_One_SendsNothingForABatchThatRunsAsUsual_AndCountsEachDrop()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = await TestSandbox.StartAsync(o => o.Faults.WebhookDropRate = 1);
        var dir = await sandbox.CreateDirectoryAsync("w");
        var hook = new { webhook_configurations = new[] { new { webhook_url = receiver.Url, webhook_output_format = "json" } } };

        var silent = await sandbox.CreateBatchAsync(dir, extra: hook);
        await sandbox.WaitForCountersAsync(c => (int?)c["faults_injected"]?["webhook_dropped"] == 3); // the batch's three events dropped

        Assert.Equal("COMPLETED", (string)(await sandbox.OkAsync(HttpMethod.Get, $"api/v2/batches/{silent}"))["status"]!);
        await sandbox.Admin.SetFaultsAsync(new { webhook_drop_rate = 0 });
        var heard = await sandbox.CreateBatchAsync(dir, extra: hook);
        var deliveries = await receiver.WaitForAsync(3);

        Assert.All(deliveries, d => Assert.Equal(heard, (string)Payload(d)["data"]!["id"]!));
        // Counted once the receiver has answered (see the first test): wait for it.
        await sandbox.WaitForCounterAsync("webhook_deliveries_total", 3);
    }

    [Fact]
    public async Task SavedConfiguration_ByIdIsDelivered_AndCancelAndFailureEmitTheirEvents()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = await TestSandbox.StartAsync(o =>
        {
            o.StepDelay = TimeSpan.FromMilliseconds(100);
            o.FilesMappedPerStep = 1;
        });
        var saved = await sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/webhook-configs", new
        {
            webhook_url = receiver.Url,
            webhook_output_format = "json",
            webhook_events = new[] { "batch.cancelled", "batch.error" },
        });
        var dir = await sandbox.CreateDirectoryAsync("w");
        await sandbox.UploadTextFilesAsync(dir, 10);

        var ids = new { webhook_configuration_ids = new[] { (string)saved["id"]! } };

        var cancelled = await sandbox.CreateBatchAsync(dir, extra: ids);
        await sandbox.OkAsync(HttpMethod.Post, $"api/v2/batches/{cancelled}/cancel");
        await sandbox.Admin.SetFaultsAsync(new { fail_next_batches = 1 });
        var failed = await sandbox.CreateBatchAsync(dir, extra: ids);
        var deliveries = await receiver.WaitForAsync(2);

        var byBatch = deliveries.ToDictionary(d => (string)Payload(d)["data"]!["id"]!, EventOf);
        Assert.Equal("batch.cancelled", byBatch[cancelled]);
        Assert.Equal("batch.error", byBatch[failed]);
    }

    [Fact]
    public async Task ParseJob_CreatedWithAWebhook_DeliversParseEvents()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = await TestSandbox.StartAsync();
        var (dir, entry) = await sandbox.DirectoryWithTextFileAsync("w", "a.txt", "x");

        var job = await sandbox.OkAsync(HttpMethod.Post, "api/v2/parse", new
        {
            tier = "fast",
            version = "latest",
            file_id = entry,
            webhook_configurations = new[] { new { webhook_url = receiver.Url, webhook_output_format = "json" } },
        });
        var deliveries = await receiver.WaitForAsync(3);

        Assert.Equal(new[] { "parse.pending", "parse.running", "parse.success" }, deliveries.Select(EventOf));
        Assert.All(deliveries, d => Assert.Equal((string)job["id"]!, (string)Payload(d)["data"]!["id"]!));
    }

    [Fact]
    public async Task ParseJob_CompletedWithFailedPages_AnnouncesPartialSuccess()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = await TestSandbox.StartAsync(o => o.Faults.FailPagesMatching = "^scan");
        var (_, entry) = await sandbox.DirectoryWithTextFileAsync("w", "scan.txt", "one\ftwo");

        await sandbox.OkAsync(HttpMethod.Post, "api/v2/parse", new
        {
            tier = "fast",
            version = "latest",
            file_id = entry,
            webhook_configurations = new[] { new { webhook_url = receiver.Url, webhook_output_format = "json" } },
        });
        var deliveries = await receiver.WaitForAsync(3);

        Assert.Equal(new[] { "parse.pending", "parse.running", "parse.partial_success" }, deliveries.Select(EventOf));
    }
}
