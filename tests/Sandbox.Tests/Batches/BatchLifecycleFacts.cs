namespace BatchOrchestrator.Sandbox.Tests.Batches;

public sealed class BatchLifecycleFacts : SandboxPerTest
{
    [Fact]
    public async Task Batch_RunsToCompleted_WithOneJobReferencePerFile()
    {
        var dir = await Sandbox.CreateDirectoryAsync("run");
        var files = await Sandbox.UploadTextFilesAsync(dir, 3);

        var batch = await Sandbox.CreateBatchAsync(dir);
        var done = await Sandbox.WaitForBatchAsync(batch, "COMPLETED");

        var results = done["results"]!.AsArray();
        Assert.Equal(files, results.Select(r => (string)r!["source_directory_file_id"]!));
        Assert.All(results, r =>
        {
            Assert.Equal("parse_v2", (string)r!["job_reference"]!["type"]!);
            Assert.StartsWith("pjb-", (string)r["job_reference"]!["id"]!, StringComparison.Ordinal);
            Assert.Null(r["error_message"]);
        });
    }

    [Fact]
    public async Task Batch_PassesThroughRunning_AndResultsStayNullUntilTerminal()
    {
        // Steps of 250 ms keep the batch RUNNING for over a second: a poll every 10 ms cannot miss it
        // however loaded the machine (at the suite's 20 ms it once went straight past under CI load).
        await RestartSandboxAsync(o =>
        {
            o.FilesMappedPerStep = 1;
            o.StepDelay = TimeSpan.FromMilliseconds(250);
        });
        var dir = await Sandbox.CreateDirectoryAsync("slow");
        await Sandbox.UploadTextFilesAsync(dir, 5);

        var batch = await Sandbox.CreateBatchAsync(dir);
        var running = await Sandbox.WaitForBatchAsync(batch, "RUNNING");
        var done = await Sandbox.WaitForBatchAsync(batch, "COMPLETED");

        Assert.Null(running["results"]);
        Assert.Equal(5, done["results"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("expand=results", true)]
    [InlineData("expand=results&expand=other", true)]
    [InlineData("expand=other,results", false)] // one value, "other,results", as a FastAPI list parameter reads it
    [InlineData("expand[]=results", false)] // another parameter
    public async Task Get_ExpandsResults_OnlyForRepeatedKeys(string query, bool expands)
    {
        var (dir, _) = await Sandbox.DirectoryWithTextFileAsync("x", "a.txt", "x");
        var batch = await Sandbox.CreateBatchAsync(dir);
        await Sandbox.WaitForBatchAsync(batch, "COMPLETED");

        var answer = await Sandbox.OkAsync(HttpMethod.Get, $"api/v2/batches/{batch}?{query}");
        var plain = await Sandbox.OkAsync(HttpMethod.Get, $"api/v2/batches/{batch}");

        Assert.Equal(expands ? 1 : null, answer["results"]?.AsArray().Count);
        Assert.Null(plain["results"]);
    }

    [Fact]
    public async Task Get_Is404_ForUnknownBatch()
    {
        var (status, body) = await Sandbox.GetAsync("api/v2/batches/bat-nope");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.NotNull(body!["detail"]);
    }

    [Fact]
    public async Task UnsupportedAndEmptyFiles_GetAnErrorMessageAndNoJob()
    {
        var (dir, good) = await Sandbox.DirectoryWithTextFileAsync("mixed", "ok.txt", "x");
        var exe = await Sandbox.UploadTextAsync(dir, "tool.EXE", "MZ");
        var empty = await Sandbox.UploadTextAsync(dir, "empty.txt", string.Empty);

        var done = await Sandbox.WaitForBatchAsync(await Sandbox.CreateBatchAsync(dir), "COMPLETED");
        var byFile = done["results"]!.AsArray().ToDictionary(r => (string)r!["source_directory_file_id"]!);

        Assert.NotNull(byFile[good]!["job_reference"]);
        Assert.Equal("Unsupported file type: .exe", (string)byFile[exe]!["error_message"]!);
        Assert.Null(byFile[exe]!["job_reference"]);
        Assert.Equal("File is empty (0 bytes)", (string)byFile[empty]!["error_message"]!);
    }

    [Fact]
    public async Task EmptyDirectory_CompletesWithNoResults()
    {
        var dir = await Sandbox.CreateDirectoryAsync("empty");

        var done = await Sandbox.WaitForBatchAsync(await Sandbox.CreateBatchAsync(dir), "COMPLETED");

        Assert.Empty(done["results"]!.AsArray());
    }

    [Fact]
    public async Task Batch_SnapshotsTheDirectory_SoLaterUploadsAreNotInIt()
    {
        await RestartSandboxAsync(o => o.StepDelay = TimeSpan.FromMilliseconds(200));
        var (dir, _) = await Sandbox.DirectoryWithTextFileAsync("snap", "a.txt", "x");
        var batch = await Sandbox.CreateBatchAsync(dir);
        await Sandbox.UploadTextAsync(dir, "b.txt", "x");

        var done = await Sandbox.WaitForBatchAsync(batch, "COMPLETED");

        Assert.Single(done["results"]!.AsArray());
    }

    [Fact]
    public async Task ChildJobs_RunToCompleted_AfterTheBatchIsMapped()
    {
        var (dir, _) = await Sandbox.DirectoryWithTextFileAsync("jobs", "a.txt", "x");
        var done = await Sandbox.WaitForBatchAsync(await Sandbox.CreateBatchAsync(dir), "COMPLETED");
        var job = (string)done["results"]![0]!["job_reference"]!["id"]!;

        var completed = await Sandbox.WaitForAsync($"api/v2/parse/{job}", j => (string)j["job"]!["status"]! == "COMPLETED");

        Assert.Equal("agentic", (string)completed["job"]!["tier"]!);
        Assert.Null(completed["job"]!["error_message"]);
    }

    [Fact]
    public async Task FileFailureRate_FailsChildJobsWithARealisticMessage_ButTheBatchCompletes()
    {
        await RestartSandboxAsync(o => o.Faults.FileFailureRate = 1);
        var (dir, _) = await Sandbox.DirectoryWithTextFileAsync("fail", "a.txt", "x");

        var done = await Sandbox.WaitForBatchAsync(await Sandbox.CreateBatchAsync(dir), "COMPLETED");
        var job = (string)done["results"]![0]!["job_reference"]!["id"]!;
        var failed = await Sandbox.WaitForAsync($"api/v2/parse/{job}", j => (string)j["job"]!["status"]! == "FAILED");

        Assert.False(string.IsNullOrWhiteSpace((string?)failed["job"]!["error_message"]));
    }

    [Fact]
    public async Task FailFilesMatching_FailsOnlyTheMatchingFiles()
    {
        await RestartSandboxAsync(o => o.Faults.FailFilesMatching = "^bad");
        var (dir, _) = await Sandbox.DirectoryWithTextFileAsync("pattern", "bad-1.txt", "x");
        await Sandbox.UploadTextAsync(dir, "good.txt", "x");
        var done = await Sandbox.WaitForBatchAsync(await Sandbox.CreateBatchAsync(dir), "COMPLETED");
        var jobs = done["results"]!.AsArray().Select(r => (string)r!["job_reference"]!["id"]!).ToList();

        var first = await Sandbox.WaitForAsync($"api/v2/parse/{jobs[0]}", j => (string)j["job"]!["status"]! is "FAILED" or "COMPLETED");
        var second = await Sandbox.WaitForAsync($"api/v2/parse/{jobs[1]}", j => (string)j["job"]!["status"]! is "FAILED" or "COMPLETED");

        Assert.Equal("FAILED", (string)first["job"]!["status"]!);
        Assert.Equal("COMPLETED", (string)second["job"]!["status"]!);
    }

    [Fact]
    public async Task FileFailureMessage_IsTheErrorOfEveryFailingFilesJob_SetAtStartOrLater()
    {
        await RestartSandboxAsync(o => (o.Faults.FailFilesMatching, o.Faults.FileFailureMessage) = ("^bad", "refused: key llx-quoted"));
        var (dir, _) = await Sandbox.DirectoryWithTextFileAsync("message", "bad-1.txt", "x");
        var done = await Sandbox.WaitForBatchAsync(await Sandbox.CreateBatchAsync(dir), "COMPLETED");
        var job = (string)done["results"]![0]!["job_reference"]!["id"]!;
        var failed = await Sandbox.WaitForAsync($"api/v2/parse/{job}", j => (string)j["job"]!["status"]! is "FAILED" or "COMPLETED");
        var changed = await Sandbox.OkAsync(HttpMethod.Post, "_sandbox/faults", new { file_failure_message = "another message" });

        Assert.Equal("refused: key llx-quoted", (string?)failed["job"]!["error_message"]);
        Assert.Equal("another message", (string?)changed["file_failure_message"]);
    }
}
