namespace BatchOrchestrator.Core.IntegrationTests.FollowUp;

/// <summary>
/// Fields the SDK's types mark optional may be absent from any answer: with the Sandbox leaving them out,
/// the pipeline still runs to the end, without a null dereference, losing nothing and inventing nothing.
/// </summary>
public sealed class OptionalFieldsFacts(PostgresServerFixture server)
{
    [Theory]
    [InlineData("parse_v2")]
    [InlineData("v1_parse")]
    public async Task Pipeline_RunsToTheEnd_WhenAnyOptionalFieldMayBeMissing(string jobType)
    {
        await using var harness = await PipelineHarness.CreateAsync(
            server,
            // A job whose usage is left out is owed looks for its bill, and remote hygiene keeps it meanwhile (docs/costs.md,
            // "Late bills"): with none, its estimate is kept at once and everything goes now.
            new Dictionary<string, string?> { ["Sources:0:JobType"] = jobType, ["FollowUp:MaxAttempts"] = "50", ["RemoteCleanup:Retention"] = "Immediately", ["FollowUp:LateBillLooks"] = "0" },
            Omitting(rate: 0.5));
        harness.WriteFiles(6);

        var batches = await harness.SubmitAllAsync(Ct);
        await RecordUntilDoneAsync(harness, batches);
        await harness.FollowUpAllAsync(batches, Ct);
        var cleanup = await harness.Get<RemoteCleaner>().RunAsync(Ct);
        await harness.Get<RemoteCleaner>().RunAsync(Ct); // the directory, once the run before removed its files

        Assert.Equal(0, cleanup.Failed);
        Assert.Equal(0L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.remote_artefact where deleted_at is null"));
        Assert.Equal(1L, await harness.Admin.CounterAsync("directory_deletes_total"));
        var story = string.Join("\n", await harness.Database.ListAsync(
            "select relative_path || ' ' || state || ' ' || coalesce(follow_up_state, '-') || ' ' || coalesce(error_message, '') || ' ' || coalesce(follow_up_error, '') from orchestrator.file_story",
            r => r.GetString(0)));
        Assert.True(6L == await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.follow_up_result where text like '%number%'"), story);
        Assert.Equal(6L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"));
        Assert.True(await harness.Admin.CounterAsync("requests_by_route", "GET /api/v2/parse/{job_id}") >= 6);
    }

    [Fact]
    public async Task Pipeline_RunsToTheEnd_WhenTheOptionalFieldsNobodyNeedsAreAlwaysMissing()
    {
        await using var harness = await PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?> { ["RemoteCleanup:Retention"] = "Immediately", ["FollowUp:LateBillLooks"] = "0" }, // no looks for the bills left out
            Omitting(1, "usage", "created_at", "updated_at", "error_message", "metadata", "expires_at", "type", "name", "tier", "job_metadata", "markdown_full"));
        harness.WriteFiles(3);

        var batches = await harness.RunToRecordedAsync(Ct);
        await harness.FollowUpAllAsync(batches, Ct);
        await harness.Get<RemoteCleaner>().RunAsync(Ct);

        Assert.Equal(3L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.follow_up_result where markdown like '%number%'")); // from the pages
        Assert.Equal((3L, 3L, 1L), (await harness.Admin.CounterAsync("file_deletes_total"), await harness.Admin.CounterAsync("parse_job_deletes_total"), await harness.Admin.CounterAsync("directory_deletes_total")));
    }

    [Fact]
    public async Task RecordAsync_ReadsAgainLater_WhenAFinishedBatchsAnswerHasNoResults_RecordingNothing()
    {
        await using var harness = await PipelineHarness.CreateAsync(server, sandboxOptions: Omitting(1, "results"));
        harness.WriteFiles(2);
        var batchId = (await harness.SubmitAllAsync(Ct)).Single();
        var remoteId = await harness.Database.ScalarAsync<string>("select remote_batch_id from orchestrator.batch");
        await Eventually.WaitAsync(
            async () => (await harness.Get<IBatchApis>().For(ProjectScope.Default).GetBatchAsync(remoteId, false, Ct)).Status,
            s => s == "COMPLETED",
            TimeSpan.FromSeconds(20),
            "the batch to finish");
        await harness.Database.ExecuteAsync("update orchestrator.batch set state = 'Completed'");

        var error = await Assert.ThrowsAsync<LlamaCloudTransientException>(() => harness.Get<BatchResultRecorder>().RecordAsync(batchId, Ct));

        Assert.Contains("is COMPLETED but its answer lists no results; reading the list again later", error.Message, StringComparison.Ordinal);
        Assert.Equal("Completed", await harness.Database.ScalarAsync<string>("select state from orchestrator.batch"));
        Assert.Equal(2L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Submitted'"));
    }

    [Fact]
    public async Task AnExtractJob_WhosePagesBilledAreNull_IsFollowedUp_WithTheCreditsAndNoPageCount()
    {
        // "num_pages_billed?: number | null" (SDK 2.16.0 resources/extract.d.ts, ExtractJobUsage): null is an answer the types allow.
        var sandbox = Omitting(1, "num_pages_billed");
        sandbox.Guesses.OptionalFieldsAsNull = true;
        await using var harness = await PipelineHarness.CreateAsync(
            server, new Dictionary<string, string?> { ["Sources:0:JobType"] = "extract_v2", ["Sources:0:ConfigurationId"] = "cfg-placeholder" }, sandbox);
        long batchId;
        using (var http = new HttpClient { BaseAddress = harness.Sandbox.BaseAddress })
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", "llx-harness-key");
            using var saved = await http.PostAsync(
                new Uri("api/v1/beta/configurations", UriKind.Relative),
                new StringContent("""{"name": "invoices", "parameters": {"product_type": "extract_v2", "data_schema": {"type": "object", "properties": {"invoice_number": {"type": "string"}}}}}""", System.Text.Encoding.UTF8, "application/json"),
                Ct);
            using var body = JsonDocument.Parse(await saved.EnsureSuccessStatusCode().Content.ReadAsStringAsync(Ct));
            harness.WriteFile("invoice.txt", "Invoice number: INV-9");
            batchId = await harness.PlanOneBatchAsync(Ct);
            // A saved configuration's id exists only once the Sandbox runs; the batch takes it as its source would.
            await harness.Database.ExecuteAsync("update orchestrator.batch set configuration_id = $1", body.RootElement.GetProperty("id").GetString()!);
        }

        await harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        await harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await harness.RecordAllAsync([batchId], Ct);
        await harness.FollowUpAllAsync([batchId], Ct);

        Assert.Equal("Succeeded", await harness.Database.ScalarAsync<string>("select state from orchestrator.file_version"));
        Assert.Contains("INV-9", await harness.Database.ScalarAsync<string>("select result::text from orchestrator.follow_up_result"), StringComparison.Ordinal);
        Assert.Equal("true true", await harness.Database.ScalarAsync<string>("select (billed_credits > 0)::text || ' ' || (billed_pages is null)::text from orchestrator.credit_charge"));
    }

    private static SandboxOptions Omitting(double rate, params string[] fields)
    {
        var options = new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(20), Seed = 7 };
        options.Guesses.OmitOptionalFieldsRate = rate;
        options.Guesses.OmitOptionalFields = fields;
        return options;
    }

    /// <summary>Polls and records as the jobs would, a record that is told to read again later being retried.</summary>
    private static Task RecordUntilDoneAsync(PipelineHarness harness, IReadOnlyList<long> batches) =>
        Eventually.WaitAsync(
            async () =>
            {
                await harness.Get<BatchOrchestrator.Core.Ticks.PollTick>().RunAsync(Ct);
                foreach (var batchId in batches)
                {
                    try
                    {
                        await harness.Get<BatchResultRecorder>().RecordAsync(batchId, Ct);
                    }
                    catch (LlamaCloudTransientException)
                    {
                        // the record job's retry
                    }
                }

                return await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch where state <> 'ResultsRecorded'");
            },
            n => n == 0,
            TimeSpan.FromSeconds(60),
            "every batch to be recorded");
}
