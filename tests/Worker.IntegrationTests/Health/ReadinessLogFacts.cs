using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BatchOrchestrator.Worker.IntegrationTests.Health;

/// <summary>What the log says of readiness while /readyz is probed over and over: each change once, never each probe.</summary>
public sealed class ReadinessLogFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    [Fact]
    public async Task Readiness_LogsOneWarningWhenItFails_AndOneInformationWhenItRecovers_WhateverTheNumberOfProbes()
    {
        var sink = new CapturingSink();
        var settings = Env.Settings();
        settings[$"Serilog:MinimumLevel:Override:{typeof(ReadinessLog).FullName}"] = "Information";
        await using var host = await WorkerHost.StartAsync(Env.Root, settings, sink);
        using var http = new HttpClient { BaseAddress = host.Address };
        Assert.Equal(HttpStatusCode.OK, await ProbeAsync(http));

        // The schema behind this build: readiness fails, as it does in an outage, and here it can be put right.
        var (version, name) = (await Env.Database.ListAsync(
            "delete from orchestrator.schema_version where version = (select max(version) from orchestrator.schema_version) returning version, name",
            r => (r.GetInt32(0), r.GetString(1)))).Single();
        for (var probe = 0; probe < 3; probe++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await ProbeAsync(http));
        }

        await Env.Database.ExecuteAsync("insert into orchestrator.schema_version (version, name) values ($1, $2)", version, name);
        Assert.Equal(HttpStatusCode.OK, await ProbeAsync(http));
        Assert.Equal(HttpStatusCode.OK, await ProbeAsync(http));

        Assert.DoesNotContain(sink.Events, e => Category(e) == WorkerLogging.HealthCheckServiceCategory && e.Level >= LogEventLevel.Warning);
        var said = sink.Events.Where(e => Category(e) == typeof(ReadinessLog).FullName).ToList();
        Assert.Equal([LogEventLevel.Warning, LogEventLevel.Information], said.Select(e => e.Level));
        Assert.Contains($"migrations: schema at version {version - 1}, this build expects {version} (run 'migrate')", said[0].RenderMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.StartsWith("Ready again: every readiness check passes, after ", said[1].RenderMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void AnApiThatDoesNotAnswer_IsSaidAsDegraded_NotAsNotReady_AndItsRecoveryAsTheEndOfThat()
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var readiness = new ReadinessLog(TimeProvider.System, factory.CreateLogger<ReadinessLog>());
        var degraded = Report(("postgresql", HealthStatus.Healthy), ("llamacloud", HealthStatus.Degraded));
        var healthy = Report(("postgresql", HealthStatus.Healthy), ("llamacloud", HealthStatus.Healthy));

        readiness.Observe(degraded);
        readiness.Observe(degraded);
        readiness.Observe(healthy);
        readiness.Observe(Report(("postgresql", HealthStatus.Unhealthy), ("llamacloud", HealthStatus.Degraded)));
        readiness.Observe(healthy);

        Assert.Collection(
            logs.Lines,
            l => Assert.StartsWith($"Warning {typeof(ReadinessLog).FullName} Degraded, /readyz still answers 200 (this instance stays in service): llamacloud: llamacloud is Degraded", l, StringComparison.Ordinal),
            l => Assert.Matches(@"^Information \S+ Healthy again: every readiness check passes, after \S+ degraded \(ready throughout\) ", l),
            l => Assert.StartsWith($"Warning {typeof(ReadinessLog).FullName} Not ready, /readyz answers 503 until these checks pass: llamacloud: llamacloud is Degraded; postgresql: postgresql is Unhealthy", l, StringComparison.Ordinal),
            l => Assert.Matches(@"^Information \S+ Ready again: every readiness check passes, after \S+ not ready ", l));
    }

    private static HealthReport Report(params (string Name, HealthStatus Status)[] checks) =>
        new(checks.ToDictionary(c => c.Name, c => new HealthReportEntry(c.Status, $"{c.Name} is {c.Status}", TimeSpan.Zero, null, null), StringComparer.Ordinal), TimeSpan.Zero);

    private static async Task<HttpStatusCode> ProbeAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("readyz", UriKind.Relative), Ct);
        return response.StatusCode;
    }

    private static string? Category(LogEvent e) =>
        e.Properties.TryGetValue("SourceContext", out var c) && c is ScalarValue { Value: string category } ? category : null;
}
