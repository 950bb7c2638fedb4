namespace BatchOrchestrator.Core.Tests.LlamaCloud;

/// <summary>The typed client against the Sandbox over real HTTP on loopback.</summary>
public sealed class LlamaCloudClientFacts() : SandboxClientFacts
{
    [Fact]
    public async Task CreateDirectoryAsync_IsFoundByName_AndASecondCreateIsAConflict()
    {
        var created = await Api.CreateDirectoryAsync("nightly-1", Ct);

        var found = await Api.FindDirectoryByNameAsync("nightly-1", Ct);
        var conflict = await Assert.ThrowsAsync<LlamaCloudRejectedException>(() => Api.CreateDirectoryAsync("nightly-1", Ct));

        Assert.Equal(created.Id, found?.Id);
        Assert.StartsWith("dir-", created.Id, StringComparison.Ordinal);
        Assert.True(conflict.IsConflict);
        Assert.Null(await Api.FindDirectoryByNameAsync("nightly-2", Ct));
    }

    [Fact]
    public async Task UploadFileAsync_IsFoundByUniqueId_WithUnicodeNamesAndMetadata()
    {
        var directory = await Api.CreateDirectoryAsync("uploads", Ct);
        await using var content = new MemoryStream("hello"u8.ToArray());

        var uploaded = await Api.UploadFileAsync(
            directory.Id, new FileUpload(content, "résumé ü.txt", "fv-1-abc", "a b/résumé ü.txt", new Dictionary<string, string> { ["source"] = "demo" }), Ct);

        var found = await Api.FindFileByUniqueIdAsync(directory.Id, "fv-1-abc", Ct);
        Assert.Equal(uploaded.Id, found?.Id);
        Assert.Equal("a b/résumé ü.txt", found?.DisplayName);
        Assert.Null(await Api.FindFileByUniqueIdAsync(directory.Id, "fv-2-abc", Ct));
    }

    [Fact]
    public async Task CreateBatchAsync_IsListedForItsDirectory_AndCompletesWithAJobReferencePerFile()
    {
        var directory = await Api.CreateDirectoryAsync("batch", Ct);
        var files = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            await using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes($"document {i}"));
            files.Add((await Api.UploadFileAsync(directory.Id, new FileUpload(content, $"d{i}.txt", $"u{i}", $"d{i}.txt"), Ct)).Id);
        }

        var batch = await Api.CreateBatchAsync(new CreateBatchRequest(directory.Id, new RemoteBatchConfig(new RemoteBatchJob("parse_v2", "cfg-PARSE_AGENTIC"))), Ct);
        var listed = await Api.ListBatchesForDirectoryAsync(directory.Id, Ct);
        var done = await Eventually.WaitAsync(
            () => Api.GetBatchAsync(batch.Id, expandResults: true, Ct), b => b.Status == "COMPLETED", TimeSpan.FromSeconds(15), "the batch to complete");

        Assert.Equal([batch.Id], listed.Select(b => b.Id));
        Assert.Equal(files.Order(), done.Results!.Select(r => r.SourceDirectoryFileId).Order());
        Assert.All(done.Results!, r => Assert.StartsWith("pjb-", r.JobReference?.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetExtractJobAsync_ReadsWhatWasBilled_AndAtWhichTier()
    {
        var directory = await Api.CreateDirectoryAsync("extract", Ct);
        await using var content = new MemoryStream("Invoice number: INV-7"u8.ToArray());
        var uploaded = await Api.UploadFileAsync(directory.Id, new FileUpload(content, "inv.txt", "inv", "inv.txt"), Ct);
        using var http = new HttpClient { BaseAddress = Sandbox.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Key);
        using var create = await http.PostAsync(
            "api/v2/extract",
            new StringContent($$$"""{"file_input": "{{{uploaded.FileId}}}", "configuration": {"data_schema": {"type": "object"}, "tier": "agentic"}}""", Encoding.UTF8, "application/json"),
            Ct);
        var jobId = (string)System.Text.Json.Nodes.JsonNode.Parse(await create.EnsureSuccessStatusCode().Content.ReadAsStringAsync(Ct))!["id"]!;

        var done = await Eventually.WaitAsync(() => Api.GetExtractJobAsync(jobId, Ct), j => j.Status == "COMPLETED", TimeSpan.FromSeconds(15), "the extract job to complete");

        // Both come only when expanded: the cost accounting's billed credits and billed tier (docs/costs.md).
        Assert.True(done.Usage?.Credits > 0, $"usage: {done.Usage}");
        Assert.Equal("agentic", done.Configuration?.Tier);
    }

    [Fact]
    public async Task GetBatchAsync_ThrowsNotFound_ForAnUnknownBatch()
    {
        var error = await Assert.ThrowsAsync<LlamaCloudRejectedException>(() => Api.GetBatchAsync("bat-00000000-0000-0000-0000-000000000000", false, Ct));

        Assert.True(error.IsNotFound);
        Assert.Equal(ApiErrorClass.Rejected, error.ErrorClass);
    }

    [Fact]
    public async Task AWrongKey_IsAnAuthError_WhoseMessageNeverContainsTheKey()
    {
        const string wrongKey = "llx-CANARY-wrong-key-987654";
        await using var other = ClientHost.Build(Sandbox.BaseAddress, wrongKey);

        var error = await Assert.ThrowsAsync<LlamaCloudRejectedException>(
            () => other.GetRequiredService<IBatchApis>().For(ProjectScope.Default).FindDirectoryByNameAsync("x", Ct));

        Assert.Equal(ApiErrorClass.Auth, error.ErrorClass);
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.DoesNotContain(wrongKey, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerErrorsOnAGet_AreRetried_ButAServerErrorOnACreateIsNot()
    {
        await Admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 503 } });

        await Assert.ThrowsAsync<LlamaCloudTransientException>(() => Api.FindDirectoryByNameAsync("x", Ct));
        var afterGet = (await Admin.CountersAsync()).ResponsesByStatus.GetValueOrDefault("503");
        await Assert.ThrowsAsync<LlamaCloudTransientException>(() => Api.CreateDirectoryAsync("y", Ct));
        var afterCreate = (await Admin.CountersAsync()).ResponsesByStatus.GetValueOrDefault("503");

        Assert.Equal(3, afterGet); // the first attempt and two retries
        Assert.Equal(1, afterCreate - afterGet); // a create that may have happened is never repeated blindly
    }

    [Fact]
    public async Task TooManyRequests_IsRetriedEvenForACreate_HonouringRetryAfter()
    {
        await Admin.SetFaultsAsync(new { too_many_requests_burst = 1, retry_after_ms = 50 });

        var created = await Api.CreateDirectoryAsync("after-429", Ct);

        var counters = await Admin.CountersAsync();
        Assert.Equal("after-429", created.Name);
        Assert.Equal(1, counters.ResponsesByStatus.GetValueOrDefault("429"));
        Assert.Equal(1, counters.DirectoryCreatesTotal);
    }

    [Fact]
    public async Task AMalformedBody_IsATransientError()
    {
        await Admin.SetFaultsAsync(new { malformed_json_rate = 1.0, routes = new[] { "GET /api/v1/beta/directories" } });

        var error = await Assert.ThrowsAsync<LlamaCloudTransientException>(() => Api.FindDirectoryByNameAsync("x", Ct));

        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
    }
}
