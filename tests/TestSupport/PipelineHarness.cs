using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using BatchOrchestrator.Core;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Persistence;
using BatchOrchestrator.Sandbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BatchOrchestrator.TestSupport;

/// <summary>
/// Core and Persistence wired exactly as production wires them (AddBatchCore, AddBatchPersistence),
/// on a database of the test's own and a Sandbox over loopback HTTP, with one source folder. Step
/// hand-offs are recorded rather than enqueued, so a test drives the pipeline step by step.
/// </summary>
public sealed class PipelineHarness : IAsyncDisposable
{
    public const string SourceName = "docs";
    public const string ApiKey = "llx-harness-key";

    private PipelineHarness(TestDatabase database, SandboxServer sandbox, string root, ServiceProvider services, RecordingScheduler scheduler)
    {
        Database = database;
        Sandbox = sandbox;
        Admin = new SandboxAdmin(sandbox.BaseAddress);
        Root = root;
        Services = services;
        Scheduler = scheduler;
    }

    public TestDatabase Database { get; }

    public SandboxServer Sandbox { get; }

    public SandboxAdmin Admin { get; }

    /// <summary>The content root; the source folder is <see cref="SourcePath"/>.</summary>
    public string Root { get; }

    public string SourcePath => Path.Combine(Root, "source");

    public ServiceProvider Services { get; }

    public RecordingScheduler Scheduler { get; }

    /// <summary>Every log line the harness's services wrote.</summary>
    public CapturingLoggerProvider Logs { get; private init; } = new();

    public static async Task<PipelineHarness> CreateAsync(
        PostgresServerFixture server,
        IDictionary<string, string?>? settings = null,
        SandboxOptions? sandboxOptions = null,
        Action<IServiceCollection>? services = null)
    {
        if (settings is not null && UtcMidnight.HasCalendarCap(settings))
        {
            await UtcMidnight.KeepClearAsync(TimeSpan.FromMinutes(2));
        }

        var database = await TestDatabase.CreateAsync(server, "pipeline");
        sandboxOptions ??= new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(20) };
        sandboxOptions.ApiKey = ApiKey;
        var sandbox = await SandboxServer.StartAsync(sandboxOptions);
        var root = Directory.CreateTempSubdirectory("bo-harness-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "source"));

        var configuration = new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = database.ConnectionString,
            ["LLAMA_CLOUD_BASE_URL"] = sandbox.BaseAddress.ToString(),
            ["LLAMA_CLOUD_API_KEY"] = ApiKey,
            ["Sources:0:Name"] = SourceName,
            ["Sources:0:Path"] = "source",
            ["Sources:0:SettleWindow"] = "00:00:00",
            ["Polling:InitialDelay"] = "00:00:00.050",
            ["Leases:TimeToLive"] = "00:00:30",
            // A fact drives each follow-up look itself and checks what one look did: no job waits for the next.
            ["FollowUp:HoldFor"] = "00:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        var scheduler = new RecordingScheduler();
        var logs = new CapturingLoggerProvider();
        var provider = Build(root, configuration, scheduler, logs, services);
        return new PipelineHarness(database, sandbox, root, provider, scheduler) { Logs = logs, configuration = configuration };
    }

    /// <summary>
    /// Another instance of the service on the same database, Sandbox and folder (as a second machine
    /// would be), with singletons of its own (lease owner, upload pace). The caller disposes it.
    /// </summary>
    public ServiceProvider AnotherInstance(RecordingScheduler scheduler, Action<IServiceCollection>? services = null) =>
        Build(Root, configuration, scheduler, new CapturingLoggerProvider(), services);

    /// <summary>
    /// The service started again with <paramref name="changes"/> to its settings (a source's layout switched, say), on the
    /// same database, Sandbox and folder, logging to <paramref name="logs"/>. The caller disposes it.
    /// </summary>
    public ServiceProvider Restarted(IDictionary<string, string?> changes, RecordingScheduler scheduler, CapturingLoggerProvider logs)
    {
        var changed = new Dictionary<string, string?>(configuration);
        foreach (var (key, value) in changes)
        {
            changed[key] = value;
        }

        return Build(Root, changed, scheduler, logs, null);
    }

    private static ServiceProvider Build(
        string root, Dictionary<string, string?> configuration, RecordingScheduler scheduler, CapturingLoggerProvider logs, Action<IServiceCollection>? services)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = root });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddBatchCore();
        builder.AddBatchPersistence();
        builder.Services.AddSingleton<IPipelineScheduler>(scheduler);
        // Tests read Debug lines; a benchmark measures the service at the level it sets (the service's own key),
        // since capturing every Debug line (Polly's, one per request) costs more than the work it measures.
        var level = configuration.TryGetValue("Serilog:MinimumLevel:Default", out var named) && Enum.TryParse<LogLevel>(named, out var parsed) ? parsed : LogLevel.Debug;
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(level).AddProvider(logs));
        services?.Invoke(builder.Services);
        return builder.Services.BuildServiceProvider();
    }

    private Dictionary<string, string?> configuration = [];

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Sums into <paramref name="counted"/>, by instrument name, what this harness's metrics record while the listener lives.</summary>
    public MeterListener CountMeasurements(ConcurrentDictionary<string, double> counted)
    {
        var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == Get<IMeterFactory>())
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => counted.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value));
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => counted.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value));
        listener.Start();
        return listener;
    }

    /// <summary>Writes a file under the source folder and returns its full path.</summary>
    public string WriteFile(string relativePath, string content)
    {
        var path = Path.Combine(SourcePath, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public void WriteFiles(int count, string prefix = "doc")
    {
        for (var i = 0; i < count; i++)
        {
            WriteFile(string.Create(CultureInfo.InvariantCulture, $"{prefix}{i:D4}.txt"), $"{prefix} number {i}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        Admin.Dispose();
        await Sandbox.DisposeAsync();
        await Database.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
