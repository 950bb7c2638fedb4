using BatchOrchestrator.Sandbox;
using BatchOrchestrator.TestSupport;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace BatchOrchestrator.Worker.Tests;

/// <summary>
/// Crash-safe batch creation in the real host: the Sandbox creates each batch and then drops the
/// connection, so the submit job fails exactly between the POST and recording it. Hangfire's retry
/// must find the batch by its directory and adopt it; the Sandbox's create counter says whether
/// anything was created (and billed) twice.
/// </summary>
public sealed class CrashSafetyFacts(PostgresServerFixture server) : IAsyncLifetime
{
    private const string ApiKey = "llx-crash-e2e";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string root = Directory.CreateTempSubdirectory("bo-crash-").FullName;
    private TestDatabase database = null!;
    private SandboxServer sandbox = null!;
    private SandboxAdmin admin = null!;

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.CreateAsync(server, "crash");
        sandbox = await SandboxServer.StartAsync(new SandboxOptions { ApiKey = ApiKey, StepDelay = TimeSpan.FromMilliseconds(50) });
        admin = new SandboxAdmin(sandbox.BaseAddress);
        Directory.CreateDirectory(Path.Combine(root, "inbox"));
    }

    public async ValueTask DisposeAsync()
    {
        admin.Dispose();
        await sandbox.DisposeAsync();
        await database.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task ABatchCreateWhoseAnswerIsLost_IsAdoptedByTheRetriedJob_SoEachDirectoryGetsExactlyOneBatch()
    {
        // Every create takes effect and then loses its connection; listing (the adoption) is untouched.
        await admin.SetFaultsAsync(new { drop_after_effect_rate = 1.0, routes = new[] { "POST /api/v2/batches" } });
        var logs = new CapturingSink();
        await using var host = await WorkerHost.StartAsync(root, Settings(), logs);
        for (var i = 0; i < 9; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(root, "inbox", $"doc-{i}.txt"), $"document {i}", TestContext.Current.CancellationToken);
        }

        host.Services.GetRequiredService<IRecurringJobManager>().Trigger("run-source-crash");
        await Eventually.WaitAsync(
            () => database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null"),
            n => n == 9,
            Patience,
            "all nine files to end with job references");

        var counters = await admin.CountersAsync();
        Assert.Equal(3, counters.BatchCreatesByDirectory.Count);
        Assert.All(counters.BatchCreatesByDirectory.Values, n => Assert.Equal(1, n));
        Assert.True(counters.ResponsesByStatus.GetValueOrDefault("dropped") >= 3, "each create lost its answer");
        Assert.Equal(3, logs.Lines.Count(l => l.Contains("already created remotely", StringComparison.Ordinal) && l.Contains("adopting it", StringComparison.Ordinal)));
        var directories = await database.ListAsync("select remote_directory_id from orchestrator.batch where remote_batch_id is not null", r => r.GetString(0));
        Assert.Equal(counters.BatchCreatesByDirectory.Keys.Order(), directories.Order());
    }

    private Dictionary<string, string?> Settings() => new()
    {
        ["Database:ConnectionString"] = database.ConnectionString,
        ["LLAMA_CLOUD_API_KEY"] = ApiKey,
        ["LLAMA_CLOUD_BASE_URL"] = sandbox.BaseAddress.ToString(),
        ["Pipeline:MaxFilesPerBatch"] = "3",
        ["Sources:0:Name"] = "crash",
        ["Sources:0:Path"] = "inbox",
        ["Sources:0:Schedule"] = "0 0 1 1 *",
        ["Sources:0:SettleWindow"] = "00:00:00",
        ["Sources:0:Watch"] = "false",
        ["Serilog:MinimumLevel:Default"] = "Information",
        ["Serilog:MinimumLevel:Override:Npgsql"] = "Warning",
    };
}
