namespace BatchOrchestrator.Worker.IntegrationTests.Scenarios;

/// <summary>The real host hands every recorded job reference to the follow-up job, which fills both built-in sinks.</summary>
public sealed class FollowUpHostFacts(PostgresServerFixture server) : IAsyncLifetime
{
    private const string ApiKey = "llx-follow-up-e2e";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string root = Directory.CreateTempSubdirectory("bo-follow-up-").FullName;
    private TestDatabase database = null!;
    private SandboxServer sandbox = null!;

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.CreateAsync(server, "followup");
        // Jobs keep running a while after the batch completes, so the first look finds some unfinished.
        sandbox = await SandboxServer.StartAsync(new SandboxOptions { ApiKey = ApiKey, StepDelay = TimeSpan.FromMilliseconds(100), JobRunningSteps = 10 });
        Directory.CreateDirectory(Path.Combine(root, "inbox", "a", "b"));
    }

    public async ValueTask DisposeAsync()
    {
        await sandbox.DisposeAsync();
        await database.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task EveryJobReference_IsFollowedUp_IntoTheMirroredTreeAndTheTable()
    {
        var logs = new CapturingSink();
        await using var host = await WorkerHost.StartAsync(root, new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Default"] = "Information", // kept for the timeout's account, never asserted on
            ["Serilog:MinimumLevel:Override:Npgsql"] = "Warning", // each statement: the steps' own lines would drown
            ["Database:ConnectionString"] = database.ConnectionString,
            ["LLAMA_CLOUD_API_KEY"] = ApiKey,
            ["LLAMA_CLOUD_BASE_URL"] = sandbox.BaseAddress.ToString(),
            ["FollowUp:RecheckDelay"] = "00:00:00.500",
            ["FollowUp:MaxRecheckDelay"] = "00:00:01",
            ["Sources:0:Name"] = "mirror",
            ["Sources:0:Path"] = "inbox",
            ["Sources:0:Schedule"] = "0 0 1 1 *",
            ["Sources:0:SettleWindow"] = "00:00:00",
            ["Sources:0:Watch"] = "false",
        }, logs);
        for (var i = 0; i < 4; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(root, "inbox", "a", "b", $"report-{i}.txt"), $"# Report {i}\nAll good.", Ct);
        }

        host.TriggerRun("mirror");
        try
        {
            await Eventually.WaitAsync(
                () => database.ScalarAsync<long>("select count(*) from orchestrator.file_story where follow_up_state = 'FollowedUp'"), n => n == 4, Patience, "four results followed up");
        }
        catch (TimeoutException ex)
        {
            // Once under a loaded CI run nothing was followed up, and the Warning-level log said nothing: say how far the
            // pipeline got, when each batch looks next and who holds what (PipelineState), and the service's last lines at Information.
            var last = logs.Lines.TakeLast(40).Select(l => l.Length > 300 ? l[..300] : l);
            throw new TimeoutException(
                $"{ex.Message}{Environment.NewLine}{await PipelineState.DescribeAsync(database)}{Environment.NewLine}"
                + $"last log lines:{Environment.NewLine}{string.Join(Environment.NewLine, last)}",
                ex);
        }

        for (var i = 0; i < 4; i++)
        {
            var mirrored = Path.Combine(root, "output", "mirror", "a", "b", $"report-{i}.txt");
            Assert.Contains($"Report {i}", await File.ReadAllTextAsync(mirrored + ".md", Ct), StringComparison.Ordinal);
            Assert.True(File.Exists(mirrored + ".json"));
        }

        Assert.Equal(4L, await database.ScalarAsync<long>("select count(*) from orchestrator.follow_up_result where markdown like '%All good.%'"));
        // The last look writes its results, then clears the batch's next look: under load the four results can be seen
        // between the two, so this is waited for, not read at once.
        await Eventually.WaitAsync(
            () => database.ScalarAsync<bool>("select follow_up_next_at is null and follow_up_checks >= 1 from orchestrator.batch"), Patience, "the batch's follow-up to stand finished");
    }
}
