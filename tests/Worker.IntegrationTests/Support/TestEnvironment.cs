namespace BatchOrchestrator.Worker.IntegrationTests.Support;

/// <summary>A database, a Sandbox over loopback HTTP and a content root with an inbox: what each host test starts from.</summary>
internal sealed class TestEnvironment : IAsyncDisposable
{
    public const string ApiKey = "llx-test-ops-7d2e";
    public const string SourceName = "e2e";

    private TestEnvironment(TestDatabase database, SandboxServer sandbox, string root)
    {
        Database = database;
        Sandbox = sandbox;
        Admin = new SandboxAdmin(sandbox.BaseAddress);
        Root = root;
    }

    public TestDatabase Database { get; }

    public SandboxServer Sandbox { get; }

    public SandboxAdmin Admin { get; }

    public string Root { get; }

    public string Inbox => Path.Combine(Root, "inbox");

    public static async Task<TestEnvironment> CreateAsync(PostgresServerFixture server, string hint, SandboxOptions? sandbox = null)
    {
        var database = await TestDatabase.CreateAsync(server, hint);
        sandbox ??= new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(50) };
        sandbox.ApiKey = ApiKey;
        var root = Directory.CreateTempSubdirectory($"bo-{hint}-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "inbox"));
        return new TestEnvironment(database, await SandboxServer.StartAsync(sandbox), root);
    }

    public Dictionary<string, string?> Settings(string? connectionString = null) => new()
    {
        ["Database:ConnectionString"] = connectionString ?? Database.ConnectionString,
        ["LLAMA_CLOUD_API_KEY"] = ApiKey,
        ["LLAMA_CLOUD_BASE_URL"] = Sandbox.BaseAddress.ToString(),
        ["Sources:0:Name"] = SourceName,
        ["Sources:0:Path"] = "inbox",
        ["Sources:0:Schedule"] = "0 0 1 1 *",
        ["Sources:0:SettleWindow"] = "00:00:00",
        ["Sources:0:Watch"] = "false",
        ["Metrics:RefreshInterval"] = "00:00:00.500",
    };

    /// <summary>The settings that run <paramref name="verb"/> against this environment, aimed at <paramref name="target"/> when given.</summary>
    public Dictionary<string, string?> VerbSettings(string verb, string? target = null)
    {
        var settings = Settings();
        settings["Verb:Name"] = verb;
        if (target is not null)
        {
            settings["Verb:Target"] = target;
        }

        return settings;
    }

    public async Task WriteFilesAsync(int count, string prefix = "doc")
    {
        for (var i = 0; i < count; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(Inbox, $"{prefix}-{i:D3}.txt"), $"{prefix} {i}", Ct);
        }
    }

    /// <summary>Waits until <paramref name="count"/> file versions have ended (succeeded with a job reference, or failed).</summary>
    public Task<long> WaitForEndedAsync(long count, TimeSpan? patience = null) => WaitAsync(
        "select count(*) from orchestrator.file_version where (state = 'Succeeded' and job_id is not null) or state = 'Failed'",
        count,
        patience ?? TimeSpan.FromSeconds(90),
        $"{count} files to end");

    /// <summary>
    /// Waits until the count <paramref name="countSql"/> reads reaches <paramref name="count"/>. Should it not, the
    /// failure carries the pipeline's state as the database holds it (<see cref="PipelineState"/>): a wait that runs out
    /// on a loaded CI machine then says where the work stood, instead of only that it had not finished.
    /// </summary>
    public Task<long> WaitAsync(string countSql, long count, TimeSpan patience, string what) =>
        EventuallyAsync(() => Database.ScalarAsync<long>(countSql), n => n >= count, patience, what);

    /// <summary>
    /// Waits as <see cref="Eventually"/> does, for anything a host test watches (a scrape, a page, a count). Should
    /// it run out, the failure carries the pipeline's state as this environment's database holds it.
    /// </summary>
    public async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what, TimeSpan? every = null)
    {
        try
        {
            return await Eventually.WaitAsync(probe, done, timeout, what, every);
        }
        catch (TimeoutException timedOut)
        {
            throw new TimeoutException($"{timedOut.Message}\n{await PipelineState.DescribeAsync(Database)}", timedOut);
        }
    }

    public Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? every = null) =>
        EventuallyAsync(condition, ok => ok, timeout, what, every);

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Sandbox.DisposeAsync();
        await Database.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // a child process may still hold a file for a moment; the temp folder is harmless
        }
    }
}
