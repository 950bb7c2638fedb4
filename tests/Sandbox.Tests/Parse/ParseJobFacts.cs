namespace BatchOrchestrator.Sandbox.Tests.Parse;

public sealed class ParseJobFacts
{
    private static async Task<(TestSandbox Sandbox, string JobId)> ParsedAsync(string fileName, byte[] content, Action<SandboxOptions>? configure = null, string preset = "cfg-PARSE_AGENTIC")
    {
        var sandbox = await TestSandbox.StartAsync(configure);
        var dir = await sandbox.CreateDirectoryAsync("p");
        var (status, _) = await sandbox.UploadAsync(dir, fileName, content);
        Assert.Equal(HttpStatusCode.OK, status);
        var batch = await sandbox.WaitForBatchAsync(await sandbox.CreateBatchAsync(dir, configurationId: preset), "COMPLETED");
        var job = (string)batch["results"]![0]!["job_reference"]!["id"]!;
        await sandbox.WaitForAsync($"api/v2/parse/{job}", j => (string)j["job"]!["status"]! == "COMPLETED");
        return (sandbox, job);
    }

    [Fact]
    public async Task Get_WithoutExpand_ReturnsOnlyTheJob()
    {
        var (sandbox, job) = await ParsedAsync("a.txt", "hello"u8.ToArray());
        await using var _ = sandbox;

        var body = await sandbox.OkAsync(HttpMethod.Get, $"api/v2/parse/{job}");

        Assert.Equal(new[] { "job" }, body.AsObject().Select(p => p.Key));
        Assert.Equal(job, (string)body["job"]!["id"]!);
        Assert.Equal(sandbox.Options.DefaultProjectId, (string)body["job"]!["project_id"]!);
        Assert.False(body["job"]!.AsObject().ContainsKey("usage"));
    }

    [Fact]
    public async Task Get_TextFullAndMarkdownFull_ComeFromTheUploadedText_SplitOnFormFeeds()
    {
        var (sandbox, job) = await ParsedAsync("notes.md", Encoding.UTF8.GetBytes("# Title\n\nFirst page.\fSecond page."));
        await using var _ = sandbox;

        var body = await sandbox.OkAsync(HttpMethod.Get, $"api/v2/parse/{job}?expand=text_full&expand=markdown_full&expand=text&expand=markdown");

        Assert.Equal("# Title\n\nFirst page.\n\nSecond page.", (string)body["text_full"]!);
        Assert.Equal("# Title\n\nFirst page.\n\nSecond page.", (string)body["markdown_full"]!);
        var pages = body["markdown"]!["pages"]!.AsArray();
        Assert.Equal(2, pages.Count);
        Assert.Equal(2, (int)pages[1]!["page_number"]!);
        Assert.True((bool)pages[1]!["success"]!);
        Assert.Equal("Second page.", (string)body["text"]!["pages"]![1]!["text"]!);
    }

    [Fact]
    public async Task Get_SplitsTextWithoutFormFeeds_EveryLinesPerPage()
    {
        var text = string.Join('\n', Enumerable.Range(1, 25).Select(i => $"line {i}"));
        var (sandbox, job) = await ParsedAsync("long.txt", Encoding.UTF8.GetBytes(text), o => o.LinesPerPage = 10);
        await using var _ = sandbox;

        var body = await sandbox.OkAsync(HttpMethod.Get, $"api/v2/parse/{job}?expand=text");

        var pages = body["text"]!["pages"]!.AsArray();
        Assert.Equal(3, pages.Count);
        Assert.StartsWith("line 11\n", (string)pages[1]!["text"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_Items_MakeHeadingsAndText_AndCsvBecomesATable()
    {
        var (sandbox, job) = await ParsedAsync("t.csv", Encoding.UTF8.GetBytes("name,qty\napple,3\n"));
        await using var _ = sandbox;

        var body = await sandbox.OkAsync(HttpMethod.Get, $"api/v2/parse/{job}?expand=items&expand=markdown_full");

        var item = body["items"]!["pages"]![0]!["items"]![0]!;
        Assert.Equal("table", (string)item["type"]!);
        Assert.Equal("apple", (string)item["rows"]![1]![0]!);
        Assert.Equal("| name | qty |\n| --- | --- |\n| apple | 3 |", (string)body["markdown_full"]!);
        Assert.Equal(612, (double)body["items"]!["pages"]![0]!["page_width"]!);
    }

    [Fact]
    public async Task Get_BinaryDocument_GetsADeterministicPagePerPdfPage()
    {
        var pdf = Encoding.Latin1.GetBytes("%PDF-1.4\n1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] >>\n2 0 obj << /Type /Page >>\n3 0 obj << /Type/Page >>\n%%EOF");
        var (sandbox, job) = await ParsedAsync("scan.pdf", pdf);
        await using var _ = sandbox;

        var first = await sandbox.OkAsync(HttpMethod.Get, $"api/v2/parse/{job}?expand=text&expand=markdown_full&expand=metadata&expand=job_metadata&expand=usage");
        var second = await sandbox.OkAsync(HttpMethod.Get, $"api/v2/parse/{job}?expand=text&expand=markdown_full");

        Assert.Equal(2, first["text"]!["pages"]!.AsArray().Count);
        Assert.Contains("Page 2 of 2", (string)first["text"]!["pages"]![1]!["text"]!, StringComparison.Ordinal);
        Assert.Equal((string)first["markdown_full"]!, (string)second["markdown_full"]!);
        Assert.Equal(2, first["metadata"]!["pages"]!.AsArray().Count);
        Assert.Equal(2, (int)first["job_metadata"]!["page_count"]!); // numbers, as the billing keys beside it
        Assert.True((double)first["job"]!["usage"]!["credits"]! > 0);
    }

    [Theory]
    [InlineData(true, "FAILED")]
    [InlineData(false, "COMPLETED")]
    public async Task AJobOverAPdfWithoutAPdfHeader_Fails_SayingSo_WhileARealPdfBesideItParses(bool failUnreadable, string brokenEnds)
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.Guesses.FailUnreadablePdf = failUnreadable);
        var dir = await sandbox.CreateDirectoryAsync("mixed");
        var (_, brokenFile) = await sandbox.UploadAsync(dir, "broken.pdf", "not a pdf at all"u8.ToArray());
        var (_, fineFile) = await sandbox.UploadAsync(dir, "fine.pdf", Encoding.Latin1.GetBytes("%PDF-1.4\n1 0 obj << /Type /Page >>\n%%EOF"));
        var batch = await sandbox.WaitForBatchAsync(await sandbox.CreateBatchAsync(dir), "COMPLETED");
        var jobs = batch["results"]!.AsArray().ToDictionary(r => (string)r!["source_directory_file_id"]!, r => (string)r!["job_reference"]!["id"]!);

        var broken = await sandbox.WaitForAsync($"api/v2/parse/{jobs[(string)brokenFile!["id"]!]}", j => (string)j["job"]!["status"]! is "COMPLETED" or "FAILED");
        var fine = await sandbox.WaitForAsync($"api/v2/parse/{jobs[(string)fineFile!["id"]!]}", j => (string)j["job"]!["status"]! is "COMPLETED" or "FAILED");

        Assert.Equal((brokenEnds, "COMPLETED"), ((string)broken["job"]!["status"]!, (string)fine["job"]!["status"]!));
        Assert.Equal(
            failUnreadable ? "Failed to parse the file: broken.pdf is corrupt or not a PDF (no %PDF- header)" : null,
            (string?)broken["job"]!["error_message"]);
    }

    [Fact]
    public async Task Get_FastTier_RefusesMarkdownAndItems_ButGivesText()
    {
        var (sandbox, job) = await ParsedAsync("a.txt", "hello"u8.ToArray(), o => o.ParsePresets["cfg-PARSE_FAST"] = "fast", preset: "cfg-PARSE_FAST");
        await using var _ = sandbox;

        var (markdown, body) = await sandbox.GetAsync($"api/v2/parse/{job}?expand=markdown_full");
        var text = await sandbox.OkAsync(HttpMethod.Get, $"api/v2/parse/{job}?expand=text_full");

        Assert.Equal(HttpStatusCode.BadRequest, markdown);
        Assert.Contains("fast", (string)body!["detail"]!, StringComparison.Ordinal);
        Assert.Equal("hello", (string)text["text_full"]!);
        Assert.Equal("fast", (string)text["job"]!["tier"]!);
    }

    [Fact]
    public async Task Get_FastTier_WithMarkdownAnsweredWithout_GivesTheTextAndNoMarkdown()
    {
        var (sandbox, job) = await ParsedAsync(
            "a.txt", "hello"u8.ToArray(), o => { o.ParsePresets["cfg-PARSE_FAST"] = "fast"; o.Guesses.FastTierMarkdownStatus = 200; }, preset: "cfg-PARSE_FAST");
        await using var _ = sandbox;

        var answer = await sandbox.OkAsync(HttpMethod.Get, $"api/v2/parse/{job}?expand=markdown_full&expand=items&expand=text_full");

        Assert.Equal("hello", (string)answer["text_full"]!);
        Assert.False(answer.AsObject().ContainsKey("markdown_full"));
        Assert.False(answer.AsObject().ContainsKey("items"));
    }

    [Fact]
    public async Task Get_Is404_ForUnknownJob()
    {
        await using var sandbox = await TestSandbox.StartAsync();

        var (status, _) = await sandbox.GetAsync("api/v2/parse/pjb-nope");

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task Get_BeforeCompletion_OmitsTheRequestedContent()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.JobRunningSteps = 1000);
        var (dir, _) = await sandbox.DirectoryWithTextFileAsync("p", "a.txt", "x");
        var batch = await sandbox.WaitForBatchAsync(await sandbox.CreateBatchAsync(dir), "COMPLETED");
        var job = (string)batch["results"]![0]!["job_reference"]!["id"]!;

        var running = await sandbox.WaitForAsync($"api/v2/parse/{job}?expand=text_full", j => (string)j["job"]!["status"]! == "RUNNING");

        Assert.False(running.AsObject().ContainsKey("text_full"));
    }

    [Fact]
    public async Task ListCancelAndDelete_FollowTheJobStateMachine()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.JobRunningSteps = 1000);
        var dir = await sandbox.CreateDirectoryAsync("p");
        await sandbox.UploadTextFilesAsync(dir, 2);
        var batch = await sandbox.WaitForBatchAsync(await sandbox.CreateBatchAsync(dir), "COMPLETED");
        var jobs = batch["results"]!.AsArray().Select(r => (string)r!["job_reference"]!["id"]!).ToList();

        var (deleteRunning, _) = await sandbox.SendAsync(HttpMethod.Delete, $"api/v2/parse/{jobs[0]}");
        var cancelled = await sandbox.OkAsync(HttpMethod.Post, $"api/v2/parse/{jobs[0]}/cancel");
        var (cancelAgain, _) = await sandbox.PostAsync($"api/v2/parse/{jobs[0]}/cancel");
        var byStatus = await sandbox.OkAsync(HttpMethod.Get, "api/v2/parse?status=CANCELLED");
        var byIds = await sandbox.OkAsync(HttpMethod.Get, $"api/v2/parse?job_ids={jobs[1]}&job_ids=pjb-other");
        var deleted = await sandbox.OkAsync(HttpMethod.Delete, $"api/v2/parse/{jobs[0]}");
        var (gone, _) = await sandbox.GetAsync($"api/v2/parse/{jobs[0]}");
        var (badStatus, _) = await sandbox.GetAsync("api/v2/parse?status=DONE");

        Assert.Equal(HttpStatusCode.Conflict, deleteRunning);
        Assert.Equal("CANCELLED", (string)cancelled["status"]!);
        Assert.Equal(HttpStatusCode.Conflict, cancelAgain);
        Assert.Equal(jobs[0], (string)byStatus["items"]!.AsArray().Single()!["id"]!);
        Assert.Equal(jobs[1], (string)byIds["items"]!.AsArray().Single()!["id"]!);
        Assert.Equal(jobs[0], (string)deleted["id"]!);
        Assert.Equal(HttpStatusCode.NotFound, gone);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badStatus);
    }

    [Fact]
    public async Task Versions_ListsTheDatedVersionsPerTier_AndWhatLatestResolvesTo_AsSdk2160TypesIt()
    {
        await using var sandbox = await TestSandbox.StartAsync();

        var body = await sandbox.OkAsync(HttpMethod.Get, "api/v2/parse/versions");

        Assert.Equal(new[] { "fast", "cost_effective", "agentic", "agentic_plus", "latest" }, body.AsObject().Select(p => p.Key));
        Assert.Equal("2026-09-07", (string)body["agentic"]![0]!);
        Assert.Equal(new[] { "2026-06-15", "2025-12-11" }, body["fast"]!.AsArray().Select(v => (string)v!));
        Assert.DoesNotContain("2026-06-15", body["cost_effective"]!.AsArray().Select(v => (string)v!)); // not in the SDK's cost_effective union
        Assert.Equal("2026-08-19", (string)body["latest"]!["cost_effective"]!);
        Assert.All(new[] { "fast", "cost_effective", "agentic", "agentic_plus" }, tier => Assert.Equal((string)body["latest"]![tier]!, (string)body[tier]![0]!));
    }
}
