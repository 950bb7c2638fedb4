namespace BatchOrchestrator.Sandbox.Tests.Fidelity;

/// <summary>
/// A timestamp filter ("Include items created at or after this timestamp", typed <c>string</c>) reaches pydantic as
/// text, and pydantic reads a datetime from text in its own forms only: an ISO 8601 date and time (<c>T</c> or a
/// space between them), a bare date, or a Unix time in seconds or milliseconds. A form only .NET reads is a 422.
/// </summary>
public sealed class TimestampQueryFacts : SandboxPerTest
{
    [Theory]
    [InlineData("2026-12-05")]
    [InlineData("2026-12-05T10:00")]
    [InlineData("2026-12-05 10:00:00")]
    [InlineData("2026-12-05T10:00:00.123456Z")]
    [InlineData("2026-12-05T10:00:00-05:00")]
    [InlineData("2026-12-05T10:00:00-0500")]
    [InlineData("1764928800")]
    [InlineData("1764928800.5")]
    [InlineData("1764928800000")]
    [InlineData("0001-01-01T00:00:00+01:00")] // an instant before year 1: Python holds it, .NET's DateTimeOffset does not
    [InlineData("9999-12-31T23:59:59-01:00")]
    public async Task AFormPydanticReads_IsTaken(string value)
    {
        var (status, _) = await Sandbox.GetAsync("api/v2/batches?created_at_on_or_after=" + Uri.EscapeDataString(value));

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Theory]
    [InlineData("12/05/2026")]
    [InlineData("05 Dec 2026")]
    [InlineData("Sat, 05 Dec 2026 10:00:00 GMT")]
    [InlineData("2026-12-05T10")]
    [InlineData("2026-13-01")]
    [InlineData("2026-12-05T25:00:00Z")]
    public async Task AFormOnlyDotNetReads_Is422(string value)
    {
        var (status, body) = await Sandbox.GetAsync("api/v2/parse?created_at_on_or_before=" + Uri.EscapeDataString(value));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var issue = Assert.Single(body!["detail"]!.AsArray());
        Assert.Equal("query,created_at_on_or_before", string.Join(',', issue!["loc"]!.AsArray().Select(l => l!.ToString())));
        Assert.Equal(value, issue["input"]!.ToString());
    }

    [Fact]
    public async Task AUnixTime_FiltersAsTheInstantItNames()
    {
        var directory = await Sandbox.CreateDirectoryAsync("unix-time");
        await Sandbox.UploadTextAsync(directory, "a.txt", "hello");

        var before2000 = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{directory}/files?updated_at_on_or_after=946684800");
        var after2100 = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{directory}/files?updated_at_on_or_after=4102444800000");

        Assert.Single(before2000["items"]!.AsArray());
        Assert.Empty(after2100["items"]!.AsArray());
    }
}
