namespace BatchOrchestrator.Sandbox.Tests.Directories;

public sealed class DirectoryFileFacts : SandboxPerTest
{
    [Fact]
    public async Task Upload_DefaultsDisplayNameAndUniqueIdToTheFileName()
    {
        var dir = await Sandbox.CreateDirectoryAsync("u");

        var (status, body) = await Sandbox.UploadAsync(dir, "report.pdf", [1, 2, 3]);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("dfl-", (string)body!["id"]!, StringComparison.Ordinal);
        Assert.Equal(dir, (string)body["directory_id"]!);
        Assert.Equal("report.pdf", (string)body["display_name"]!);
        Assert.Equal("report.pdf", (string)body["unique_id"]!);
        Assert.StartsWith("dfl-", (string)body["file_id"]!, StringComparison.Ordinal);
        Assert.NotEqual((string)body["id"]!, (string)body["file_id"]!);
        Assert.Empty(body["metadata"]!.AsObject());
    }

    [Fact]
    public async Task Upload_TakesDisplayNameUniqueIdExternalIdAndMetadata()
    {
        var dir = await Sandbox.CreateDirectoryAsync("u");

        var (_, body) = await Sandbox.UploadAsync(dir, "a.txt", "x"u8.ToArray(), new Dictionary<string, string>
        {
            ["display_name"] = "Nice name",
            ["unique_id"] = "src/a.txt@sha256:ab",
            ["external_file_id"] = "ext-1",
            ["metadata"] = """{"pages": 3, "tags": ["a","b"], "ok": true}""",
        });

        Assert.Equal("Nice name", (string)body!["display_name"]!);
        Assert.Equal("src/a.txt@sha256:ab", (string)body["unique_id"]!);
        Assert.Equal(3, (int)body["metadata"]!["pages"]!);
        Assert.Equal("b", (string)body["metadata"]!["tags"]![1]!);
        var file = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/files/{(string)body["file_id"]!}");
        Assert.Equal("ext-1", (string)file["external_file_id"]!);
    }

    [Fact]
    public async Task Upload_UniqueIdDefaultsToExternalFileId()
    {
        var dir = await Sandbox.CreateDirectoryAsync("u");

        var (_, body) = await Sandbox.UploadAsync(dir, "a.txt", "x"u8.ToArray(), new Dictionary<string, string> { ["external_file_id"] = "ext-9" });

        Assert.Equal("ext-9", (string)body!["unique_id"]!);
    }

    [Fact]
    public async Task Upload_SameUniqueIdAgain_UpsertsTheSameEntry_AndCountsTwoUploads()
    {
        var dir = await Sandbox.CreateDirectoryAsync("u");

        var first = await Sandbox.UploadTextAsync(dir, "a.txt", "one", uniqueId: "k");
        var second = await Sandbox.UploadTextAsync(dir, "a.txt", "two", uniqueId: "k");
        var list = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files");
        var counters = await Sandbox.Admin.CountersJsonAsync();

        Assert.Equal(first, second);
        Assert.Single(list["items"]!.AsArray());
        Assert.Equal(2, (int)counters["uploads_total"]!);
        Assert.Equal(2, (int)counters["uploads_by_unique_id"]!["k"]!);
    }

    [Fact]
    public async Task Upload_SameUniqueIdAgain_AddsASecondEntry_OrIsRefused_AsTheGuessSays()
    {
        // What LlamaCloud does is undocumented (docs/llamacloud-api.md §4.2): each answer a client must survive can be had.
        await RestartSandboxAsync(o => o.Guesses.SameUniqueIdUpload = SameUniqueId.Add);
        var dir = await Sandbox.CreateDirectoryAsync("u");
        var first = await Sandbox.UploadTextAsync(dir, "a.txt", "one", uniqueId: "k");
        var second = await Sandbox.UploadTextAsync(dir, "a.txt", "two", uniqueId: "k");
        var byUniqueId = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files?unique_id=k");
        Assert.NotEqual(first, second);
        Assert.Equal([first, second], byUniqueId["items"]!.AsArray().Select(i => (string)i!["id"]!));

        await RestartSandboxAsync(o => o.Guesses = new SandboxGuesses { SameUniqueIdUpload = SameUniqueId.Refuse, SameUniqueIdStatus = 422 });
        dir = await Sandbox.CreateDirectoryAsync("u");
        var kept = await Sandbox.UploadTextAsync(dir, "a.txt", "one", uniqueId: "k");
        var (status, body) = await Sandbox.UploadAsync(dir, "a.txt", "two"u8.ToArray(), new Dictionary<string, string> { ["unique_id"] = "k" });
        var list = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("unique_id 'k'", (string)body!["detail"]!, StringComparison.Ordinal);
        Assert.Equal([kept], list["items"]!.AsArray().Select(i => (string)i!["id"]!));
    }

    [Fact]
    public async Task Upload_Is404_ForUnknownDirectory_AndNotCounted()
    {
        var (status, body) = await Sandbox.UploadAsync("dir-missing", "a.txt", [1]);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.NotNull(body!["detail"]);
        Assert.Equal(0, await Sandbox.Admin.CounterAsync("uploads_total"));
    }

    [Fact]
    public async Task Upload_Is422_WithoutUploadFile_OrWithBadMetadata()
    {
        var dir = await Sandbox.CreateDirectoryAsync("u");
        using var noFile = new MultipartFormDataContent { { new StringContent("x"), "display_name" } };
        using var response = await Sandbox.Client.PostAsync($"api/v1/beta/directories/{dir}/files/upload", noFile, Ct);
        var missing = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;

        var (badJson, badJsonBody) = await Sandbox.UploadAsync(dir, "a.txt", [1], new Dictionary<string, string> { ["metadata"] = "{nope" });
        var (badValue, badValueBody) = await Sandbox.UploadAsync(dir, "a.txt", [1], new Dictionary<string, string> { ["metadata"] = """{"k": {"nested": 1}}""" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("upload_file", (string)missing["detail"]![0]!["loc"]![1]!);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badJson);
        Assert.Equal("metadata", (string)badJsonBody!["detail"]![0]!["loc"]![1]!);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badValue);
        Assert.Equal("k", (string)badValueBody!["detail"]![0]!["loc"]![2]!);
    }

    [Fact]
    public async Task Upload_Is422_WhenTheBodyIsNotMultipart()
    {
        var dir = await Sandbox.CreateDirectoryAsync("u");

        var (status, _) = await Sandbox.PostAsync($"api/v1/beta/directories/{dir}/files/upload", new { upload_file = "x" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
    }

    [Fact]
    public async Task Upload_Is413_AboveMaxUploadBytes()
    {
        await RestartSandboxAsync(o => o.MaxUploadBytes = 1000);
        var dir = await Sandbox.CreateDirectoryAsync("u");

        var (status, _) = await Sandbox.UploadAsync(dir, "big.bin", new byte[1001]);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
    }

    [Fact]
    public async Task List_FiltersByUniqueIdDisplayNameAndUpdatedAt_AndPages()
    {
        var dir = await Sandbox.CreateDirectoryAsync("u");
        for (var i = 0; i < 5; i++)
        {
            await Sandbox.UploadTextAsync(dir, $"f{i}.txt", "x", uniqueId: $"k{i}");
        }

        var byKey = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files?unique_id=k2");
        var byName = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files?display_name=f4.txt");
        var contains = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files?display_name_contains=F1");
        var future = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files?updated_at_on_or_after=2999-01-01T00:00:00Z");
        var past = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files?updated_at_on_or_before=2999-01-01T00:00:00Z");
        var first = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files?page_size=3");
        var second = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files?page_size=3&page_token={(string)first["next_page_token"]!}");
        var (badDate, _) = await Sandbox.GetAsync($"api/v1/beta/directories/{dir}/files?updated_at_on_or_after=yesterday");
        var (noDir, _) = await Sandbox.GetAsync("api/v1/beta/directories/dir-x/files");

        Assert.Equal("k2", (string)byKey["items"]!.AsArray().Single()!["unique_id"]!);
        Assert.Equal("k4", (string)byName["items"]!.AsArray().Single()!["unique_id"]!);
        Assert.Equal("k1", (string)contains["items"]!.AsArray().Single()!["unique_id"]!);
        Assert.Empty(future["items"]!.AsArray());
        Assert.Equal(5, past["items"]!.AsArray().Count);
        Assert.Equal(3, first["items"]!.AsArray().Count);
        Assert.Equal(2, second["items"]!.AsArray().Count);
        Assert.Null(second["next_page_token"]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badDate);
        Assert.Equal(HttpStatusCode.NotFound, noDir);
    }

    [Fact]
    public async Task Get_WithExpandDownloadUrl_GivesALinkThatServesTheBytes()
    {
        var (dir, id) = await Sandbox.DirectoryWithTextFileAsync("u", "a.txt", "hello bytes");

        var plain = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files/{id}");
        var expanded = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files/{id}?expand=download_url");
        using var anonymous = new HttpClient();
        var url = (string)expanded["download_url"]!["url"]!;
        var content = await anonymous.GetStringAsync(url, Ct);
        using var tampered = await anonymous.GetAsync(url.Replace("signature=", "signature=0", StringComparison.Ordinal), Ct);
        var (missing, _) = await Sandbox.GetAsync($"api/v1/beta/directories/{dir}/files/dfl-nope");

        Assert.Null(plain["download_url"]);
        Assert.Equal("hello bytes", content);
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing);
    }

    [Fact]
    public async Task Add_ByFileId_UsesTheFileNameAndExternalIdAsDefaults()
    {
        var dir = await Sandbox.CreateDirectoryAsync("u");
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes("data")), "file", "stored.txt" },
            { new StringContent("user_data"), "purpose" },
            { new StringContent("ext-42"), "external_file_id" },
        };
        using var created = await Sandbox.Client.PostAsync("api/v1/beta/files", form, Ct);
        var fileId = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!["id"]!;

        var added = await Sandbox.OkAsync(HttpMethod.Post, $"api/v1/beta/directories/{dir}/files", new { file_id = fileId });
        var (unknownFile, _) = await Sandbox.PostAsync($"api/v1/beta/directories/{dir}/files", new { file_id = "dfl-none" });
        var (missingField, missingBody) = await Sandbox.PostAsync($"api/v1/beta/directories/{dir}/files", new { });

        Assert.Equal("stored.txt", (string)added["display_name"]!);
        Assert.Equal("ext-42", (string)added["unique_id"]!);
        Assert.Equal(fileId, (string)added["file_id"]!);
        Assert.Equal(HttpStatusCode.NotFound, unknownFile);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missingField);
        Assert.Equal("file_id", (string)missingBody!["detail"]![0]!["loc"]![1]!);
    }

    [Fact]
    public async Task Patch_RenamesRekeysAndMoves_AndRefusesAKeyClash()
    {
        var dir = await Sandbox.CreateDirectoryAsync("u");
        var other = await Sandbox.CreateDirectoryAsync("v");
        var id = await Sandbox.UploadTextAsync(dir, "a.txt", "x", uniqueId: "a");
        await Sandbox.UploadTextAsync(other, "b.txt", "x", uniqueId: "b");

        var renamed = await Sandbox.OkAsync(HttpMethod.Patch, $"api/v1/beta/directories/{dir}/files/{id}", new { display_name = "A", metadata = new { x = "y" } });
        var (clash, _) = await Sandbox.SendAsync(HttpMethod.Patch, $"api/v1/beta/directories/{dir}/files/{id}", new { target_directory_id = other, unique_id = "b" });
        var moved = await Sandbox.OkAsync(HttpMethod.Patch, $"api/v1/beta/directories/{dir}/files/{id}", new { target_directory_id = other });
        var (oldPlace, _) = await Sandbox.GetAsync($"api/v1/beta/directories/{dir}/files/{id}");
        var (noTarget, _) = await Sandbox.SendAsync(HttpMethod.Patch, $"api/v1/beta/directories/{other}/files/{id}", new { target_directory_id = "dir-none" });

        Assert.Equal("A", (string)renamed["display_name"]!);
        Assert.Equal("y", (string)renamed["metadata"]!["x"]!);
        Assert.Equal(HttpStatusCode.Conflict, clash);
        Assert.Equal(other, (string)moved["directory_id"]!);
        Assert.Equal(HttpStatusCode.NotFound, oldPlace);
        Assert.Equal(HttpStatusCode.NotFound, noTarget);
    }

    [Fact]
    public async Task Delete_IsSoft_HiddenUnlessIncludeDeleted()
    {
        var (dir, id) = await Sandbox.DirectoryWithTextFileAsync("u", "a.txt", "x");

        var (deleted, _) = await Sandbox.SendAsync(HttpMethod.Delete, $"api/v1/beta/directories/{dir}/files/{id}");
        var (again, _) = await Sandbox.SendAsync(HttpMethod.Delete, $"api/v1/beta/directories/{dir}/files/{id}");
        var visible = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files");
        var all = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files?include_deleted=true");

        Assert.Equal(HttpStatusCode.NoContent, deleted);
        Assert.Equal(HttpStatusCode.NotFound, again);
        Assert.Empty(visible["items"]!.AsArray());
        Assert.NotNull((string?)all["items"]![0]!["deleted_at"]);
    }
}
