namespace BatchOrchestrator.Sandbox.Tests.Parse;

/// <summary>
/// The failed-pages fault: a parse job that COMPLETED with some pages failed, answered alike by every expand the SDK
/// allows (docs/llamacloud-api.md §6.2): failed pages typed as the SDK types them where it can, left out of the rest.
/// </summary>
public sealed class FailedPagesFacts
{
    private static async Task<(TestSandbox Sandbox, string JobId)> ParsedAsync(string fileName, string content, Action<SandboxOptions>? configure = null)
    {
        var sandbox = await TestSandbox.StartAsync(o =>
        {
            o.Faults.FailPagesMatching = "^scan";
            configure?.Invoke(o);
        });
        var dir = await sandbox.CreateDirectoryAsync("p");
        var (status, _) = await sandbox.UploadAsync(dir, fileName, Encoding.UTF8.GetBytes(content));
        Assert.Equal(HttpStatusCode.OK, status);
        var batch = await sandbox.WaitForBatchAsync(await sandbox.CreateBatchAsync(dir, configurationId: "cfg-PARSE_AGENTIC"), "COMPLETED");
        var job = (string)batch["results"]![0]!["job_reference"]!["id"]!;
        await sandbox.WaitForAsync($"api/v2/parse/{job}", j => (string)j["job"]!["status"]! == "COMPLETED");
        return (sandbox, job);
    }

    [Fact]
    public async Task AMatchingFile_Completes_WithItsEvenPagesFailedInEveryPerPageForm_AndTheFullTextsHoldWhatParsed()
    {
        var (sandbox, job) = await ParsedAsync("scan.txt", "one\ftwo\fthree");
        await using var _ = sandbox;

        var body = await sandbox.OkAsync(HttpMethod.Get, $"api/v2/parse/{job}?expand=markdown_full&expand=text_full&expand=markdown&expand=text&expand=items&expand=forms");

        Assert.Equal("COMPLETED", (string)body["job"]!["status"]!);
        Assert.Equal("one\n\nthree", (string)body["markdown_full"]!);
        Assert.Equal("one\n\nthree", (string)body["text_full"]!);
        foreach (var form in new[] { "markdown", "items", "forms" })
        {
            var pages = body[form]!["pages"]!.AsArray();
            Assert.Equal([true, false, true], pages.Select(p => (bool)p!["success"]!));
            var failed = pages[1]!.AsObject();
            Assert.Equal(["page_number", "success", "error"], failed.Select(p => p.Key));
            Assert.StartsWith("Page 2 could not be processed", (string)failed["error"]!, StringComparison.Ordinal);
        }

        // The SDK's text page cannot say it failed: by default a failed page is left out of it.
        Assert.Equal([1, 3], body["text"]!["pages"]!.AsArray().Select(p => (int)p!["page_number"]!));
    }

    [Fact]
    public async Task ListFailedTextPages_ListsAFailedPageInText_WithEmptyText()
    {
        var (sandbox, job) = await ParsedAsync("scan.txt", "one\ftwo", o => o.Guesses.ListFailedTextPages = true);
        await using var _ = sandbox;

        var body = await sandbox.OkAsync(HttpMethod.Get, $"api/v2/parse/{job}?expand=text");

        Assert.Equal(["one", ""], body["text"]!["pages"]!.AsArray().Select(p => (string)p!["text"]!));
    }

    [Fact]
    public async Task AFileNotMatching_HasEveryPageParsed()
    {
        var (sandbox, job) = await ParsedAsync("report.txt", "one\ftwo");
        await using var _ = sandbox;

        var body = await sandbox.OkAsync(HttpMethod.Get, $"api/v2/parse/{job}?expand=markdown");

        Assert.All(body["markdown"]!["pages"]!.AsArray(), p => Assert.True((bool)p!["success"]!));
    }
}
