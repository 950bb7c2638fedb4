namespace BatchOrchestrator.Core.IntegrationTests.Sources;

/// <summary>
/// A file with the same content as another under a second name (DedupeKey ContentHash, the default): sent and
/// billed once, yet on the record under its own name and given the result in the sinks, whenever it appears.
/// </summary>
public sealed class SameContentFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    private const string Story = """
        select relative_path, state, job_id, follow_up_state, coalesce(same_content_as, '')
        from orchestrator.file_story order by relative_path
        """;

    private string Output => Path.Combine(Harness.Root, "output", PipelineHarness.SourceName);

    [Fact]
    public async Task TwoNamesOfOneContent_AreSentOnce_AndEachHasItsStoryAndItsResult()
    {
        Harness.WriteFile("a.md", "# Same\nbody");
        Harness.WriteFile("b.md", "# Same\nbody");
        Harness.WriteFile("c.md", "# Other");

        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);

        Assert.Equal(2, (await Harness.Admin.CountersAsync()).UploadsTotal);
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.credit_charge"));
        var story = await StoryAsync();
        var job = story["a.md"].JobId;
        Assert.Equal(("Succeeded", job, "FollowedUp", ""), story["a.md"]);
        Assert.Equal(("Succeeded", job, "FollowedUp", "a.md"), story["b.md"]);
        Assert.Equal(("Succeeded", story["c.md"].JobId, "FollowedUp", ""), story["c.md"]);

        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(Output, "a.md.md"), Ct), await File.ReadAllTextAsync(Path.Combine(Output, "b.md.md"), Ct));
        using (var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Output, "b.md.json"), Ct)))
        {
            Assert.Equal("b.md", json.RootElement.GetProperty("relative_path").GetString());
            Assert.Equal("a.md", json.RootElement.GetProperty("same_content_as").GetString());
            Assert.Equal(job, json.RootElement.GetProperty("job_id").GetString());
        }

        Assert.Equal(
            ["a.md", "b.md", "c.md"],
            await Harness.Database.ListAsync("select relative_path from orchestrator.follow_up_result where markdown is not null order by 1", r => r.GetString(0)));

        // The follow-up's lines count b.md's delivery too, apart from the results of the batch's own files.
        var said = Harness.Logs.Lines.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"(\d+) results delivered, (\d+) more to files with the same content"))
            .Where(m => m.Success).Select(m => (Own: int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Copies: int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToList();
        Assert.Equal((2, 1), (said.Sum(s => s.Own), said.Sum(s => s.Copies)));
    }

    [Fact]
    public async Task ACopyMadeAfterTheResultWasDelivered_GetsThatResult_WithoutSendingOrBillingAgain()
    {
        Harness.WriteFile("a.md", "# Report\nfigures");
        var batch = (await Harness.RunToRecordedAsync(Ct)).Single();
        await Harness.FollowUpAllAsync([batch], Ct);
        var billed = await Harness.Admin.CreditsBilledAsync();
        File.Copy(Path.Combine(Harness.SourcePath, "a.md"), Path.Combine(Harness.SourcePath, "b.md"));

        Assert.Empty(await Harness.PlanAsync(Ct));
        Assert.Equal(("Succeeded", (await StoryAsync())["a.md"].JobId, "Recorded", "a.md"), (await StoryAsync())["b.md"]);

        // The scan made the batch's follow-up due for the copy: the dispatcher hands it out, and one look delivers it.
        await Harness.Get<FollowUpDispatcher>().DispatchDueAsync(10, Ct);
        Assert.Equal([batch, batch], Harness.Scheduler.BatchIds("follow-up"));
        await Harness.Get<FollowUpProcessor>().FollowUpAsync(batch, Ct);

        var story = await StoryAsync();
        Assert.Equal(("Succeeded", story["a.md"].JobId, "FollowedUp", "a.md"), story["b.md"]);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(Output, "a.md.md"), Ct), await File.ReadAllTextAsync(Path.Combine(Output, "b.md.md"), Ct));
        Assert.Equal(1, (await Harness.Admin.CountersAsync()).UploadsTotal);
        Assert.Equal(billed, await Harness.Admin.CreditsBilledAsync());
        Assert.Equal(1L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch"));
        Assert.Equal(1L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.credit_charge"));
        Assert.True(await Harness.Database.ScalarAsync<bool>("select follow_up_next_at is null from orchestrator.batch"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ACopyMadeAfterRemoteHygieneDeletedTheJob_GetsTheResultThePostgresSinkKept_OrSaysNoSinkKeptIt(bool postgresSink)
    {
        var settings = new Dictionary<string, string?> { ["RemoteCleanup:Retention"] = "Immediately" };
        if (!postgresSink)
        {
            settings["FollowUp:Sinks:0"] = "FileSystem";
        }

        await using var harness = await PipelineHarness.CreateAsync(Server, settings);
        harness.WriteFile("a.md", "# Report\nfigures");
        var batch = (await harness.RunToRecordedAsync(Ct)).Single();
        await harness.FollowUpAllAsync([batch], Ct);
        var job = await harness.Database.ScalarAsync<string>("select job_id from orchestrator.file_version");
        await harness.Get<RemoteCleaner>().RunAsync(Ct);
        Assert.Equal(1L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.remote_artefact where remote_id = $1 and deleted_at is not null", job));

        // Renamed after the job was deleted: the new name is a copy of the version, and LlamaCloud answers 404 for its job.
        File.Move(Path.Combine(harness.SourcePath, "a.md"), Path.Combine(harness.SourcePath, "renamed.md"));
        Assert.Empty(await harness.PlanAsync(Ct));
        await harness.Get<FollowUpProcessor>().FollowUpAsync(batch, Ct);

        var (state, error) = (await harness.Database.ListAsync(
            "select follow_up_state, coalesce(follow_up_error, '') from orchestrator.file_copy where relative_path = 'renamed.md'", r => (r.GetString(0), r.GetString(1)))).Single();
        var output = Path.Combine(harness.Root, "output", PipelineHarness.SourceName);
        if (postgresSink)
        {
            Assert.Equal(("FollowedUp", ""), (state, error));
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(output, "a.md.md"), Ct), await File.ReadAllTextAsync(Path.Combine(output, "renamed.md.md"), Ct));
        }
        else
        {
            Assert.Equal("FollowUpFailed", state);
            Assert.Contains("no sink kept it", error, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(output, "renamed.md.md")));
        }

        Assert.Equal(1, (await harness.Admin.CountersAsync()).UploadsTotal); // never sent again
    }

    [Fact]
    public async Task AFileRestoredToAnEarlierContent_GetsThatContentsResultBack_WithoutSendingOrBillingAgain()
    {
        // Restored from a backup: the output beside it held the later content's result, which the earlier version's,
        // older, never overwrote; nothing was sent again, so nothing else would have.
        Harness.WriteFile("a.md", "# Report\nfigures");
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);
        Harness.WriteFile("a.md", "# Temporary edit");
        await Harness.FollowUpAllAsync(await Harness.RunToRecordedAsync(Ct), Ct);
        Assert.Contains("Temporary edit", await File.ReadAllTextAsync(Path.Combine(Output, "a.md.md"), Ct), StringComparison.Ordinal);

        Harness.WriteFile("a.md", "# Report\nfigures");
        await DeliverWhatTheScanMadeDueAsync();

        Assert.Contains("figures", await File.ReadAllTextAsync(Path.Combine(Output, "a.md.md"), Ct), StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Output, "a.md.json"), Ct)))
        {
            Assert.Equal("a.md", json.RootElement.GetProperty("relative_path").GetString());
            Assert.False(json.RootElement.TryGetProperty("same_content_as", out _)); // its own earlier content, no other name's
        }

        // And back again to the later content: its result comes back too.
        Harness.WriteFile("a.md", "# Temporary edit");
        await DeliverWhatTheScanMadeDueAsync();
        Assert.Contains("Temporary edit", await File.ReadAllTextAsync(Path.Combine(Output, "a.md.md"), Ct), StringComparison.Ordinal);

        Assert.Equal(2, (await Harness.Admin.CountersAsync()).UploadsTotal);
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.credit_charge"));
    }

    private async Task DeliverWhatTheScanMadeDueAsync()
    {
        Assert.Empty(await Harness.PlanAsync(Ct)); // known content: no batch
        await Harness.Get<FollowUpDispatcher>().DispatchDueAsync(10, Ct);
        foreach (var batch in Harness.Scheduler.BatchIds("follow-up").Distinct())
        {
            await Harness.Get<FollowUpProcessor>().FollowUpAsync(batch, Ct);
        }
    }

    [Fact]
    public async Task ACopyWhoseResultASinkRefuses_SaysWhy_AndLeavesTheOriginalsDelivery()
    {
        await using var harness = await PipelineHarness.CreateAsync(Server, new Dictionary<string, string?> { ["FollowUp:MaxAttempts"] = "1" });
        harness.WriteFile("a.txt", "# Same");
        harness.WriteFile("b.txt", "# Same");
        var blocked = Path.Combine(harness.Root, "output", PipelineHarness.SourceName, "b.txt.md");
        Directory.CreateDirectory(blocked); // a folder where the copy's markdown goes: the sink cannot write it

        var batches = await harness.RunToRecordedAsync(Ct);
        await harness.FollowUpAllAsync(batches, Ct);

        var rows = await harness.Database.ListAsync(
            "select relative_path, follow_up_state, coalesce(follow_up_error, '') from orchestrator.file_story order by relative_path",
            r => (r.GetString(0), r.GetString(1), r.GetString(2)));
        Assert.Equal(("a.txt", "FollowedUp", ""), rows[0]);
        Assert.Equal(("b.txt", "FollowUpFailed"), (rows[1].Item1, rows[1].Item2));
        Assert.StartsWith("sink FileSystem:", rows[1].Item3, StringComparison.Ordinal);
        Assert.Contains("b.txt.md", rows[1].Item3, StringComparison.Ordinal);
        Assert.Equal(1L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'FollowedUp'"));
        Assert.True(await harness.Database.ScalarAsync<bool>("select follow_up_next_at is null from orchestrator.batch"));
    }

    [Fact]
    public async Task ACopysFailedDelivery_KeepsTheJobItIsReadFrom_AndIsRetriedWithItsBatchsFollowUps()
    {
        await using var harness = await PipelineHarness.CreateAsync(
            Server, new Dictionary<string, string?> { ["FollowUp:MaxAttempts"] = "1", ["RemoteCleanup:Retention"] = "Immediately" });
        harness.WriteFile("a.md", "# Same");
        harness.WriteFile("b.md", "# Same");
        var blocked = Path.Combine(harness.Root, "output", PipelineHarness.SourceName, "b.md.md");
        Directory.CreateDirectory(blocked); // a folder where the copy's markdown goes: the sink cannot write it
        var batch = (await harness.RunToRecordedAsync(Ct)).Single();
        await harness.FollowUpAllAsync([batch], Ct);
        const string Copy = "select follow_up_state from orchestrator.file_story where relative_path = 'b.md'";
        var job = await harness.Database.ScalarAsync<string>("select job_id from orchestrator.file_version");

        Assert.Equal("FollowUpFailed", await harness.Database.ScalarAsync<string>(Copy));
        await harness.Get<RemoteCleaner>().RunAsync(Ct);
        Assert.Equal(0L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.remote_artefact where remote_id = $1", job));

        Directory.Delete(blocked);
        Assert.Equal(1, await harness.Get<OperatorCommands>().RetryFollowUpsAsync(batch, Ct));
        await harness.Get<FollowUpProcessor>().FollowUpAsync(batch, Ct);

        Assert.Equal("FollowedUp", await harness.Database.ScalarAsync<string>(Copy));
        Assert.True(File.Exists(blocked));
        await harness.Get<RemoteCleaner>().RunAsync(Ct);
        Assert.Equal(1L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.remote_artefact where remote_id = $1 and deleted_at is not null", job));
    }

    [Fact]
    public async Task ContentSkippedUnderItsFirstName_IsSentUnderACopysName_WhenOnlyThatNameStillHasIt()
    {
        Harness.WriteFile("a.md", "# Moved away");
        var first = await Harness.PlanOneBatchAsync(Ct);
        File.Copy(Path.Combine(Harness.SourcePath, "a.md"), Path.Combine(Harness.SourcePath, "b.md"));
        Assert.Empty(await Harness.PlanAsync(Ct)); // b.md is a copy of the version already in a batch
        File.Delete(Path.Combine(Harness.SourcePath, "a.md"));
        await Harness.Get<BatchUploader>().UploadAsync(first, Ct); // a.md is gone: its version is skipped
        Assert.Equal("Skipped", (await StoryAsync())["b.md"].State);

        var batches = await Harness.RunToRecordedAsync(Ct);

        Assert.Single(batches);
        var story = await StoryAsync();
        Assert.Equal(["b.md"], story.Keys);
        Assert.Equal(("Succeeded", ""), (story["b.md"].State, story["b.md"].SameContentAs));
        Assert.Equal(1, (await Harness.Admin.CountersAsync()).UploadsTotal);
    }

    [Fact]
    public async Task ContentSkippedUnderItsFirstName_AndRevivedAtACopysName_IsDeliveredThereOnce()
    {
        var sink = new CountingSink();
        await using var harness = await PipelineHarness.CreateAsync(
            Server, new Dictionary<string, string?> { ["FollowUp:Sinks:0"] = "Counting" }, services: s => s.AddSingleton<IFollowUpSink>(sink));
        harness.WriteFile("a.md", "# Moved away");
        var first = await harness.PlanOneBatchAsync(Ct);
        var copy = Path.Combine(harness.SourcePath, "b.md");
        File.Copy(Path.Combine(harness.SourcePath, "a.md"), copy);
        Assert.Empty(await harness.PlanAsync(Ct)); // b.md is a copy of the version already in a batch
        File.Delete(Path.Combine(harness.SourcePath, "a.md"));
        await harness.Get<BatchUploader>().UploadAsync(first, Ct); // a.md is gone: its version is skipped

        // Touched, same content: the next scan hashes b.md again, and the skipped version comes back under that name.
        File.SetLastWriteTimeUtc(copy, File.GetLastWriteTimeUtc(copy).AddMinutes(-5));
        var batches = await harness.RunToRecordedAsync(Ct);
        await harness.FollowUpAllAsync(batches, Ct);

        Assert.Equal(["b.md"], sink.Paths);
        Assert.Equal(
            [("b.md", "Succeeded", "FollowedUp", "")],
            await harness.Database.ListAsync(Story, r => (r.GetString(0), r.GetString(1), r.GetString(3), r.GetString(4))));
    }

    private async Task<Dictionary<string, (string State, string? JobId, string? FollowUp, string SameContentAs)>> StoryAsync() =>
        (await Harness.Database.ListAsync(
            Story,
            r => (Path: r.GetString(0), Row: (r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4)))))
        .ToDictionary(r => r.Path, r => r.Row, StringComparer.Ordinal);

    private sealed class CountingSink : IFollowUpSink
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> paths = new();

        public string Name => "Counting";

        /// <summary>Every path a result was written to, once per write.</summary>
        public string[] Paths => [.. paths];

        public Task WriteAsync(IReadOnlyList<FollowUpDocument> documents, CancellationToken cancellationToken)
        {
            foreach (var document in documents.Where(d => !d.Superseded))
            {
                paths.Enqueue(document.RelativePath);
            }

            return Task.CompletedTask;
        }
    }
}
