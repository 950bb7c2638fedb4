using UglyToad.PdfPig.Writer;

namespace BatchOrchestrator.Sandbox.Tests.Billing;

/// <summary>The Sandbox bills like the service: credits per page by tier from the document's pages, usage and job_metadata on reads, a finite balance with 402, and two billing faults.</summary>
public sealed class BillingFacts
{
    [Fact]
    public async Task APdfParsedAtAgentic_IsBilledTenCreditsAPage_ByItsRealPageCount_OnUsageAndJobMetadata()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var job = await ParsedJobAsync(sandbox, "four.pdf", Pdf(4));

        var body = await sandbox.OkAsync(HttpMethod.Get, $"api/v2/parse/{job}?expand=usage&expand=job_metadata");

        Assert.Equal(40, (double)body["job"]!["usage"]!["credits"]!);
        Assert.Equal("agentic", (string)body["job"]!["tier"]!);
        Assert.Equal(4, (int)body["job_metadata"]!["job_pages"]!);
        Assert.Equal(40, (double)body["job_metadata"]!["job_credits_usage"]!);
        var credits = await sandbox.OkAsync(HttpMethod.Get, "_sandbox/credits");
        Assert.Equal(40, (double)credits["credits_billed_total"]!);
        Assert.Equal(4, (long)credits["pages_billed_total"]!);
    }

    [Fact]
    public async Task ALegacyWordDocument_IsBilledByThePagesItStates_AsTheWorkerEstimatesIt_AndItsResultHoldsThosePages()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        // 9,728 bytes that state 10 pages: one page by the size rule (tests/Core.Tests/Costs/LegacyOffice/README.md).
        var job = await ParsedJobAsync(sandbox, "ten.doc", File.ReadAllBytes(Repository.PathOf("tests/Core.Tests/Costs/LegacyOffice/ten-pages-stated.doc")));

        var body = await sandbox.OkAsync(HttpMethod.Get, $"api/v2/parse/{job}?expand=job_metadata&expand=markdown");

        Assert.Equal((10, 100), ((int)body["job_metadata"]!["job_pages"]!, (double)body["job_metadata"]!["job_credits_usage"]!));
        Assert.Equal(10, body["markdown"]!["pages"]!.AsArray().Count);
    }

    [Fact]
    public async Task TheBillAtTierFault_BillsAndReportsAnotherTier_AndTheEmptyResultsFault_CompletesWithNothing()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await sandbox.Admin.SetFaultsAsync(new { bill_at_tier = "agentic_plus", empty_results_matching = "^empty" });
        var (dir, _) = await sandbox.DirectoryWithTextFileAsync("faults", "empty.txt", "some text");
        await sandbox.UploadTextAsync(dir, "full.txt", "other text");
        var batch = await sandbox.WaitForBatchAsync(await sandbox.CreateBatchAsync(dir), "COMPLETED");
        var jobs = batch["results"]!.AsArray().Select(r => (string)r!["job_reference"]!["id"]!).ToList();

        var results = new List<JsonNode>();
        foreach (var job in jobs)
        {
            results.Add(await sandbox.WaitForAsync($"api/v2/parse/{job}?expand=usage&expand=text_full", j => (string)j["job"]!["status"]! == "COMPLETED"));
        }

        Assert.All(results, r => Assert.Equal("agentic_plus", (string)r["job"]!["tier"]!));
        Assert.All(results, r => Assert.Equal(45, (double)r["job"]!["usage"]!["credits"]!));
        Assert.Single(results, r => string.IsNullOrEmpty((string?)r["text_full"]));
    }

    [Fact]
    public async Task AJobOfASavedConfigurationScoringConfidenceHigh_IsBilledFiveCreditsAPageMore()
    {
        // The SDK: confidence_score_effort 'high' "costs an additional 5 credits per page" (docs/llamacloud-api.md §1.7).
        await using var sandbox = await TestSandbox.StartAsync();
        var saved = await sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/configurations", new
        {
            name = "scored",
            parameters = new { product_type = "parse_v2", tier = "agentic", version = "latest", processing_options = new { confidence_score_effort = "high" } },
        });
        var dir = await sandbox.CreateDirectoryAsync("scored");
        Assert.Equal(HttpStatusCode.OK, (await sandbox.UploadAsync(dir, "two.pdf", Pdf(2))).Status);
        var batch = await sandbox.WaitForBatchAsync(await sandbox.CreateBatchAsync(dir, configurationId: (string)saved["id"]!), "COMPLETED");
        var job = (string)batch["results"]![0]!["job_reference"]!["id"]!;

        var body = await sandbox.WaitForAsync($"api/v2/parse/{job}?expand=usage", j => (string)j["job"]!["status"]! == "COMPLETED");

        Assert.Equal(("agentic", 2 * (10 + 5d)), ((string)body["job"]!["tier"]!, (double)body["job"]!["usage"]!["credits"]!));
    }

    [Fact]
    public async Task AFiniteBalance_OnceSpent_AnswersBatchAndJobCreatesWith402_InTheServicesShape()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.CreditBalance = 15);
        await ParsedJobAsync(sandbox, "two.pdf", Pdf(2)); // 20 credits: the balance goes to -5
        var dir = await sandbox.CreateDirectoryAsync("after");

        var (status, body) = await sandbox.PostAsync("api/v2/batches", new { source_directory_id = dir, config = new { job = new { type = "parse_v2", configuration_id = "cfg-PARSE_AGENTIC" } } });

        Assert.Equal(HttpStatusCode.PaymentRequired, status);
        Assert.StartsWith("Insufficient credits", (string)body!["detail"]!, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await sandbox.GetAsync($"api/v1/beta/directories/{dir}")).Status); // reads go on
        await sandbox.OkAsync(HttpMethod.Post, "_sandbox/credits", new { balance = (int?)null });
        Assert.Equal(HttpStatusCode.OK, (await sandbox.PostAsync("api/v2/batches", new { source_directory_id = dir, config = new { job = new { type = "parse_v2", configuration_id = "cfg-PARSE_AGENTIC" } } })).Status);
    }

    [Fact]
    public async Task ABillRecordedLate_ReadsAsNullCredits_ForTheReadsTheGuessSays_ThenAsTheBill()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.Guesses.UsageRecordedAfterReads = 2);
        var job = await ParsedJobAsync(sandbox, "two.pdf", Pdf(2)); // waited for without usage: no read of it counted

        var reads = new List<double?>();
        for (var i = 0; i < 3; i++)
        {
            var body = await sandbox.OkAsync(HttpMethod.Get, $"api/v2/parse/{job}?expand=usage");
            reads.Add((double?)body["job"]!["usage"]!["credits"]);
        }

        Assert.Equal([null, null, 20], reads);
    }

    [Fact]
    public async Task AFailedJob_BillsNothing_UnlessTheGuessThatFailedJobsBillIsOn()
    {
        foreach (var (billed, expected) in new[] { (false, 0d), (true, 20d) })
        {
            await using var sandbox = await TestSandbox.StartAsync(o => o.Guesses.BillFailedJobs = billed);
            await sandbox.Admin.SetFaultsAsync(new { fail_files_matching = "broken" });
            var dir = await sandbox.CreateDirectoryAsync("failed");
            Assert.Equal(HttpStatusCode.OK, (await sandbox.UploadAsync(dir, "broken.pdf", Pdf(2))).Status);
            var batch = await sandbox.WaitForBatchAsync(await sandbox.CreateBatchAsync(dir), "COMPLETED");
            var job = (string)batch["results"]![0]!["job_reference"]!["id"]!;

            var body = await sandbox.WaitForAsync($"api/v2/parse/{job}?expand=usage", j => (string)j["job"]!["status"]! == "FAILED");

            Assert.Equal(expected, (double)body["job"]!["usage"]!["credits"]!);
        }
    }

    private static async Task<string> ParsedJobAsync(TestSandbox sandbox, string name, byte[] content)
    {
        var dir = await sandbox.CreateDirectoryAsync("bill-" + name);
        Assert.Equal(HttpStatusCode.OK, (await sandbox.UploadAsync(dir, name, content)).Status);
        var batch = await sandbox.WaitForBatchAsync(await sandbox.CreateBatchAsync(dir), "COMPLETED");
        var job = (string)batch["results"]![0]!["job_reference"]!["id"]!;
        await sandbox.WaitForAsync($"api/v2/parse/{job}", j => (string)j["job"]!["status"]! == "COMPLETED");
        return job;
    }

    private static byte[] Pdf(int pages)
    {
        var builder = new PdfDocumentBuilder();
        for (var i = 0; i < pages; i++)
        {
            builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4);
        }

        return builder.Build();
    }
}
