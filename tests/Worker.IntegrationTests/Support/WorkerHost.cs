using BatchOrchestrator.Worker.Scheduling;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace BatchOrchestrator.Worker.IntegrationTests.Support;

/// <summary>The real Worker host, built by the same three Add calls as Program.cs, on a temporary content root.</summary>
internal sealed class WorkerHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private WorkerHost(WebApplication app, string root)
    {
        this.app = app;
        Root = root;
    }

    public string Root { get; }

    public IServiceProvider Services => app.Services;

    /// <summary>
    /// Starts a run of <paramref name="source"/> now, as its schedule would. Hangfire's trigger of a schedule it does
    /// not hold does nothing, silently: a test would then wait out its patience for a run never asked for, so that fails here.
    /// </summary>
    public void TriggerRun(string source = TestEnvironment.SourceName) =>
        Assert.NotNull(((IRecurringJobManagerV2)Services.GetRequiredService<IRecurringJobManager>()).TriggerJob(RecurringJobIds.RunSource(source)));

    public Uri Address => new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public static async Task<WorkerHost> StartAsync(
        string root, IDictionary<string, string?> settings, ILogEventSink? logSink = null, Action<IServiceCollection>? configure = null)
    {
        var app = Build(root, settings, logSink, configure);
        await app.StartAsync(Ct);
        return new WorkerHost(app, root);
    }

    /// <summary>Runs one verb ("Verb:Name" in <paramref name="settings"/>) as Program.cs does; returns its exit code and what it wrote.</summary>
    public static async Task<(int ExitCode, string Output)> RunVerbAsync(
        string root, IDictionary<string, string?> settings, ILogEventSink? logSink = null, Action<IServiceCollection>? configure = null)
    {
        var (exitCode, output, _) = await RunVerbSplitAsync(root, settings, logSink, configure);
        return (exitCode, output);
    }

    /// <summary>As <see cref="RunVerbAsync"/>, with what the verb wrote on stdout and on stderr apart (log lines aside).</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunVerbSplitAsync(
        string root, IDictionary<string, string?> settings, ILogEventSink? logSink = null, Action<IServiceCollection>? configure = null)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        await using var app = Build(root, settings, logSink, services =>
        {
            services.AddSingleton(new VerbConsole(output, isTerminal: false, errors));
            configure?.Invoke(services);
        });
        var exitCode = await app.RunVerbAsync();
        return (exitCode, output.ToString(), errors.ToString());
    }

    private static WebApplication Build(string root, IDictionary<string, string?> settings, ILogEventSink? logSink, Action<IServiceCollection>? configure)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = root, EnvironmentName = "Testing", Args = [] });
        var defaults = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Polling:Interval"] = "00:00:01",
            ["Polling:InitialDelay"] = "00:00:00.100",
            ["Polling:MaxDelay"] = "00:00:01",
            ["Hangfire:Server:SchedulePollingInterval"] = "00:00:01",
            ["Hangfire:Storage:QueuePollInterval"] = "00:00:00.200",
            ["Sandbox:StepDelay"] = "00:00:00.050",
        };
        foreach (var (key, value) in settings)
        {
            defaults[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(defaults);
        if (logSink is not null)
        {
            builder.Services.AddSingleton(logSink);
        }

        configure?.Invoke(builder.Services);
        builder.AddBatchCore();
        builder.AddBatchPersistence();
        builder.AddBatchWorker();
        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
        // Hangfire.PostgreSql opens its connections from Npgsql's global pools, which outlive the host; each
        // test database has its own pool, so close the idle ones or a long run exhausts the server's connections.
        NpgsqlConnection.ClearAllPools();
    }
}
