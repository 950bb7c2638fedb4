namespace BatchOrchestrator.Sandbox.Tests.Fidelity;

/// <summary>
/// A multipart upload's fields are typed by kind: the SDK sends the upload as a file part and every other field
/// (<c>string | null</c>) as a text part. FastAPI hands a <c>Form()</c> string the UploadFile a file part makes, which
/// pydantic refuses as no string, and its UploadFile validator refuses the text a text part makes; neither is ignored
/// (docs/llamacloud-api.md §4.2). A Sandbox that ignored such a field would key an upload by its file name, where the
/// service answers 422.
/// </summary>
public sealed class MultipartPartKindFacts : SandboxPerTest
{
    [Theory]
    [InlineData("unique_id")]
    [InlineData("display_name")]
    [InlineData("external_file_id")]
    [InlineData("metadata")]
    public async Task ADirectoryUploadTextFieldSentAsAFile_IsStringType_AndNoUpload(string field)
    {
        var dir = await Sandbox.CreateDirectoryAsync("u");
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent("x"u8.ToArray()), "upload_file", "a.txt" },
            { new ByteArrayContent("""{"k":"v"}"""u8.ToArray()), field, "value.txt" },
        };

        var (status, body) = await PostFormAsync($"api/v1/beta/directories/{dir}/files/upload", form);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        AssertOneIssue(body, "string_type", "body", field);
        Assert.Equal(0, await Sandbox.Admin.CounterAsync("uploads_total"));
    }

    [Fact]
    public async Task ADirectoryUploadFileSentAsText_IsAValueError_AndEmptyTextIsMissing()
    {
        var dir = await Sandbox.CreateDirectoryAsync("u");
        using var text = new MultipartFormDataContent { { new StringContent("hello"), "upload_file" } };
        using var empty = new MultipartFormDataContent { { new StringContent(""), "upload_file" } };

        var (textStatus, textBody) = await PostFormAsync($"api/v1/beta/directories/{dir}/files/upload", text);
        var (emptyStatus, emptyBody) = await PostFormAsync($"api/v1/beta/directories/{dir}/files/upload", empty);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, textStatus);
        AssertOneIssue(textBody, "value_error", "body", "upload_file");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, emptyStatus);
        AssertOneIssue(emptyBody, "missing", "body", "upload_file");
    }

    [Fact]
    public async Task ALaterPartOfTheSameName_ReplacesAnEarlierOne_OfEitherKind()
    {
        var dir = await Sandbox.CreateDirectoryAsync("u");
        using var textLast = new MultipartFormDataContent
        {
            { new ByteArrayContent("x"u8.ToArray()), "upload_file", "a.txt" },
            { new ByteArrayContent("k"u8.ToArray()), "unique_id", "k.txt" },
            { new StringContent("key"), "unique_id" },
        };
        using var fileLast = new MultipartFormDataContent
        {
            { new ByteArrayContent("x"u8.ToArray()), "upload_file", "a.txt" },
            { new StringContent("key"), "unique_id" },
            { new ByteArrayContent("k"u8.ToArray()), "unique_id", "k.txt" },
        };

        var (textStatus, textBody) = await PostFormAsync($"api/v1/beta/directories/{dir}/files/upload", textLast);
        var (fileStatus, fileBody) = await PostFormAsync($"api/v1/beta/directories/{dir}/files/upload", fileLast);

        Assert.Equal(HttpStatusCode.OK, textStatus);
        Assert.Equal("key", (string)textBody!["unique_id"]!);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, fileStatus);
        AssertOneIssue(fileBody, "string_type", "body", "unique_id");
    }

    [Theory]
    [InlineData("purpose")]
    [InlineData("external_file_id")]
    public async Task AFileUploadTextFieldSentAsAFile_IsStringType_AndNoFile(string field)
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent("x"u8.ToArray()), "file", "a.txt" },
            { new ByteArrayContent("user_data"u8.ToArray()), field, "value.txt" },
        };
        if (field != "purpose")
        {
            form.Add(new StringContent("user_data"), "purpose");
        }

        var (status, body) = await PostFormAsync("api/v1/beta/files", form);
        var list = await Sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/files");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        AssertOneIssue(body, "string_type", "body", field);
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task AParseUploadConfigurationSentAsAFile_IsStringType_AndNoJob()
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent("x"u8.ToArray()), "file", "u.md" },
            { new ByteArrayContent("""{"tier":"fast","version":"latest"}"""u8.ToArray()), "configuration", "configuration.json" },
        };

        var (status, body) = await PostFormAsync("api/v2/parse/upload", form);
        var jobs = await Sandbox.OkAsync(HttpMethod.Get, "api/v2/parse");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        AssertOneIssue(body, "string_type", "body", "configuration");
        Assert.Empty(jobs["items"]!.AsArray());
    }

    [Fact]
    public async Task AParseUploadFileSentAsText_IsAValueError()
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent("plain text"), "file" },
            { new StringContent("""{"tier":"fast","version":"latest"}"""), "configuration" },
        };

        var (status, body) = await PostFormAsync("api/v2/parse/upload", form);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        AssertOneIssue(body, "value_error", "body", "file");
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> PostFormAsync(string path, MultipartFormDataContent form)
    {
        using var response = await Sandbox.Client.PostAsync(path, form, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static void AssertOneIssue(JsonNode? body, string type, params string[] loc)
    {
        var issue = Assert.Single(body!["detail"]!.AsArray());
        Assert.Equal(type, (string)issue!["type"]!);
        Assert.Equal(string.Join(',', loc), string.Join(',', issue["loc"]!.AsArray().Select(l => l!.ToString())));
    }
}
