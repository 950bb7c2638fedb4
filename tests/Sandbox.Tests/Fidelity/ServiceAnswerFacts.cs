namespace BatchOrchestrator.Sandbox.Tests.Fidelity;

/// <summary>
/// The Sandbox answers as the service does where the SDK and FastAPI say how (404/405 bodies), and where
/// nothing says, its answer is an option a client can be tested against in every plausible form.
/// </summary>
public sealed class ServiceAnswerFacts
{
    [Fact]
    public async Task UnknownRoutes_Are404_AndWrongMethods405_WithFastApiBodies_BeforeAuthentication()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = sandbox.Server.BaseAddress };

        var (missing, missingBody) = await sandbox.GetAsync("api/v2/nothing-here");
        using var wrongMethod = await anonymous.PutAsync("api/v2/batches", new StringContent("{}"), Ct);
        var wrongBody = JsonNode.Parse(await wrongMethod.Content.ReadAsStringAsync(Ct));
        using var unknownAnonymous = await anonymous.GetAsync("api/v1/beta/nowhere", Ct);

        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal("""{"detail":"Not Found"}""", missingBody!.ToJsonString());
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("""{"detail":"Method Not Allowed"}""", wrongBody!.ToJsonString());
        Assert.Contains("POST", wrongMethod.Content.Headers.Allow.Concat(wrongMethod.Headers.Select(h => string.Join(',', h.Value))));
        Assert.Equal(HttpStatusCode.NotFound, unknownAnonymous.StatusCode);
    }

    [Fact]
    public async Task PathsMatchAsWritten_AnotherCaseIsUnknown_AndASlashAtTheEndIsRedirected_BeforeAuthentication()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = sandbox.Server.BaseAddress };

        var (otherCase, otherCaseBody) = await sandbox.GetAsync("api/V2/batches");
        using var upperAnonymous = await anonymous.GetAsync("API/v2/parse/versions", Ct); // was answered without a key, past every check
        using var slash = await anonymous.GetAsync("api/v2/batches/?limit=5", Ct);
        using var wrongMethodOtherCase = await anonymous.DeleteAsync("API/v2/batches", Ct); // a known path's other method, but in another case
        using var encoded = await anonymous.GetAsync("api/v2/batches/a%20b%C3%A9/", Ct);
        var (asWritten, _) = await sandbox.GetAsync("api/v2/batches?limit=5");

        Assert.Equal(HttpStatusCode.NotFound, otherCase);
        Assert.Equal("""{"detail":"Not Found"}""", otherCaseBody!.ToJsonString());
        Assert.Equal(HttpStatusCode.NotFound, upperAnonymous.StatusCode);
        Assert.Equal(HttpStatusCode.TemporaryRedirect, slash.StatusCode);
        Assert.Equal(new Uri(sandbox.Server.BaseAddress, "api/v2/batches?limit=5"), slash.Headers.Location);
        Assert.Equal(HttpStatusCode.NotFound, wrongMethodOtherCase.StatusCode);
        Assert.Equal(HttpStatusCode.TemporaryRedirect, encoded.StatusCode);
        Assert.Equal(new Uri(sandbox.Server.BaseAddress, "api/v2/batches/a%20b%C3%A9").AbsoluteUri, encoded.Headers.Location!.AbsoluteUri);
        Assert.Equal(HttpStatusCode.OK, asWritten);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(409)]
    [InlineData(422)]
    public async Task UndocumentedRefusals_AnswerWithTheConfiguredCode_InTheDetailShape(int code)
    {
        await using var sandbox = await TestSandbox.StartAsync(o =>
        {
            o.MaxBatchFiles = 1;
            o.Guesses.DuplicateDirectoryStatus = code;
            o.Guesses.TooManyBatchFilesStatus = code;
            o.Guesses.CancelTerminalStatus = code;
        });
        var (dir, _) = await sandbox.DirectoryWithTextFileAsync("same", "a.txt", "a");
        var small = await sandbox.CreateDirectoryAsync("small");
        await sandbox.UploadTextAsync(small, "b.txt", "b");
        var done = await sandbox.CreateBatchAsync(small);
        await sandbox.WaitForBatchAsync(done, "COMPLETED");
        await sandbox.UploadTextAsync(dir, "c.txt", "c");

        var (duplicate, duplicateBody) = await sandbox.PostAsync("api/v1/beta/directories", new { name = "same", type = "ephemeral" });
        var (tooMany, tooManyBody) = await sandbox.PostAsync("api/v2/batches", new { source_directory_id = dir, config = new { job = new { type = "parse_v2", configuration_id = "cfg-PARSE_AGENTIC" } } });
        var (cancel, cancelBody) = await sandbox.PostAsync($"api/v2/batches/{done}/cancel");

        Assert.Equal((code, code, code), ((int)duplicate, (int)tooMany, (int)cancel));
        Assert.All(new[] { duplicateBody, tooManyBody, cancelBody }, b => Assert.IsType<string>((string?)b!["detail"]));
    }

    [Fact]
    public async Task OptionalFields_AreLeftOutAlways_WhenAskedTo_AndRequiredOnesStay()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.Guesses.OmitOptionalFieldsRate = 1);
        var (dir, _) = await sandbox.DirectoryWithTextFileAsync("o", "a.txt", "hello");
        var batchId = await sandbox.CreateBatchAsync(dir);

        var batch = await sandbox.WaitForAsync($"api/v2/batches/{batchId}?expand=results", b => (string?)b["status"] == "COMPLETED");
        var files = await sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files");

        Assert.False(batch.AsObject().ContainsKey("results"));
        Assert.False(batch.AsObject().ContainsKey("created_at"));
        Assert.Equal(new[] { "id", "config", "project_id", "source_directory_id", "status" }.Order(), batch.AsObject().Select(p => p.Key).Order());
        var file = files["items"]![0]!.AsObject();
        Assert.False(file.ContainsKey("file_id"));
        Assert.True(file.ContainsKey("unique_id"));
    }

    [Fact]
    public async Task OptionalFields_CanBeNarrowedToSomeNames()
    {
        await using var sandbox = await TestSandbox.StartAsync(o =>
        {
            o.Guesses.OmitOptionalFieldsRate = 1;
            o.Guesses.OmitOptionalFields = ["created_at"];
        });
        var (dir, _) = await sandbox.DirectoryWithTextFileAsync("o", "a.txt", "hello");
        var batchId = await sandbox.CreateBatchAsync(dir);

        var batch = await sandbox.WaitForAsync($"api/v2/batches/{batchId}?expand=results", b => (string?)b["status"] == "COMPLETED");

        Assert.False(batch.AsObject().ContainsKey("created_at"));
        Assert.True(batch.AsObject().ContainsKey("results"));
    }

    [Fact]
    public async Task OptionalFields_AreNull_WhenAskedTo_WhereTheTypesAllowNull_AndLeftOutWhereThey_DoNot()
    {
        await using var sandbox = await TestSandbox.StartAsync(o =>
        {
            o.Guesses.OmitOptionalFieldsRate = 1;
            o.Guesses.OmitOptionalFields = ["created_at", "metadata"];
            o.Guesses.OptionalFieldsAsNull = true;
        });
        var (dir, _) = await sandbox.DirectoryWithTextFileAsync("o", "a.txt", "hello");
        var batchId = await sandbox.CreateBatchAsync(dir);

        var batch = await sandbox.WaitForAsync($"api/v2/batches/{batchId}", b => (string?)b["status"] == "COMPLETED");
        var file = (await sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files"))["items"]![0]!.AsObject();

        Assert.True(batch.AsObject().TryGetPropertyValue("created_at", out var created) && created is null); // "created_at?: string | null"
        Assert.False(file.ContainsKey("metadata")); // "metadata?: { … }": never null
    }

    [Fact]
    public async Task BadGuessOptions_StopStartUp_NamingTheKey()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => TestSandbox.StartAsync(o =>
        {
            o.Guesses.CancelTerminalStatus = 418;
            o.Guesses.OmitOptionalFields = ["no_such_field"];
        }));

        Assert.Contains("Sandbox:Guesses:CancelTerminalStatus: must be 400, 409 or 422", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sandbox:Guesses:OmitOptionalFields: 'no_such_field'", error.Message, StringComparison.Ordinal);
    }
}
