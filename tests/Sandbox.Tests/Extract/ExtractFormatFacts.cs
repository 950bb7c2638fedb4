namespace BatchOrchestrator.Sandbox.Tests.Extract;

/// <summary>
/// An inline extract configuration's string fields keep the formats their doc comments state (TS SDK 2.16.0
/// <c>resources/extract.d.ts</c>): <c>version</c> "'latest' … or a date string (YYYY-MM-DD format)", <c>target_pages</c>
/// "Comma-separated page numbers or ranges to process (1-based)". The bodies name no existing file, so a body the
/// validation accepts is a 404 and one it refuses a 422.
/// </summary>
public sealed class ExtractFormatFacts : SandboxPerTest
{
    [Theory]
    [InlineData("version", "\"15/01/2026\"")]
    [InlineData("target_pages", "\"1,,2\"")]
    [InlineData("target_pages", "\"5-3\"")]
    public async Task Create_Is422_ForAStringOutsideItsStatedFormat(string field, string value)
    {
        var (status, body) = await Sandbox.PostAsync("api/v2/extract", Body(field, value));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("body,configuration," + field, string.Join(',', body!["detail"]![0]!["loc"]!.AsArray().Select(p => p!.ToString())));
        Assert.Equal("value_error", (string)body["detail"]![0]!["type"]!);
    }

    [Theory]
    [InlineData("version", "\"latest\"")]
    [InlineData("version", "\"2025-12-31\"")]
    [InlineData("target_pages", "\"1,3,5-8,10\"")]
    public async Task Create_TakesAStringInItsStatedFormat(string field, string value)
    {
        var (status, body) = await Sandbox.PostAsync("api/v2/extract", Body(field, value));

        Assert.True(status == HttpStatusCode.NotFound, $"{status}: {body}");
    }

    private static string Body(string field, string value) =>
        $$$"""{"file_input":"dfl-none","configuration":{"data_schema":{"type":"object"},"{{{field}}}":{{{value}}}}}""";
}
