namespace BatchOrchestrator.Sandbox.Tests.V1Batches;

/// <summary>
/// The v1 batch-processing lists' <c>limit</c>, whose maximum no SDK documents (TypeScript 2.13.0
/// <c>PaginatedBatchItemsParams</c>): refused above <c>Guesses:V1ListMaxLimit</c> by default, or coerced down to it.
/// The validation comes before the job is looked up, so an accepted limit on an unknown job is a 404.
/// </summary>
public sealed class V1ListLimitFacts
{
    private const string Config = """{"job_name":"parse_raw_file_job","parameters":{"type":"parse","parse_mode":"parse_page_with_llm"}}""";

    [Theory]
    [InlineData("api/v1/beta/batch-processing")]
    [InlineData("api/v1/beta/batch-processing/unknown-job/items")]
    public async Task ALimitAboveTheMaximum_Is422_AndTheMaximumIsTaken(string path)
    {
        await using var sandbox = await TestSandbox.StartAsync();

        var (over, body) = await sandbox.GetAsync($"{path}?limit=1001");
        var (atMax, _) = await sandbox.GetAsync($"{path}?limit=1000");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, over);
        Assert.Equal("less_than_equal", (string)body!["detail"]![0]!["type"]!);
        Assert.Equal("query,limit", string.Join(',', body["detail"]![0]!["loc"]!.AsArray().Select(l => (string)l!)));
        Assert.NotEqual(HttpStatusCode.UnprocessableEntity, atMax);
    }

    [Theory]
    [InlineData(true, HttpStatusCode.UnprocessableEntity, 0)]
    [InlineData(false, HttpStatusCode.OK, 2)] // coerced down: two of the three jobs, and total_size says there are more
    public async Task ALimitAboveAGuessedMaximum_IsRefusedOrCoerced_AsTheGuessSays(bool refuses, HttpStatusCode expected, int items)
    {
        await using var sandbox = await TestSandbox.StartAsync(o =>
        {
            o.StepDelay = TimeSpan.FromHours(1);
            o.Guesses.V1ListMaxLimit = 2;
            o.Guesses.V1ListRefusesOverLimit = refuses;
        });
        var dir = await sandbox.CreateDirectoryAsync("v1");
        for (var i = 0; i < 3; i++)
        {
            await sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/batch-processing", $$"""{"directory_id":"{{dir}}","job_config":{{Config}}}""");
        }

        var (status, body) = await sandbox.GetAsync("api/v1/beta/batch-processing?limit=500");

        Assert.Equal(expected, status);
        if (status == HttpStatusCode.OK)
        {
            Assert.Equal(items, body!["items"]!.AsArray().Count);
            Assert.Equal(3, (int)body["total_size"]!);
        }
    }
}
