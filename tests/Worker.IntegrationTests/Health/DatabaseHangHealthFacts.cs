namespace BatchOrchestrator.Worker.IntegrationTests.Health;

/// <summary>
/// /readyz while PostgreSQL hangs (connections accepted, nothing answered): a 503 that says so within
/// Health:DatabaseTimeout, and the failure logged once for all the probes, without an exception's stack trace.
/// </summary>
public sealed class DatabaseHangHealthFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Readyz_AnswersUnavailableWithinTheDatabaseTimeout_AndLogsOneWarningForAllItsProbes_WhilePostgreSqlHangs()
    {
        var relay = new FreezableRelay(Env.Database.ConnectionString);
        var sink = new CapturingSink();
        WorkerHost? host = null;
        try
        {
            var settings = Env.Settings(relay.Through(Env.Database.ConnectionString));
            settings["Health:DatabaseTimeout"] = CheckTimeout.ToString();
            host = await WorkerHost.StartAsync(Env.Root, settings, sink);
            // The answer must come within the check's timeout and a margin for a busy machine, or the client gives up:
            // before the fix it came only once the hanging connections were closed, over a minute later.
            using var http = new HttpClient { BaseAddress = host.Address, Timeout = CheckTimeout + TimeSpan.FromSeconds(10) };
            using (var ready = await http.GetAsync(new Uri("readyz", UriKind.Relative), Ct))
            {
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            }

            relay.Freeze();
            for (var probe = 0; probe < 3; probe++) // the later ones meet the first one's query still hanging
            {
                using var response = await http.GetAsync(new Uri("readyz", UriKind.Relative), Ct);
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
                var checks = body.RootElement.GetProperty("checks");

                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.Equal("Unhealthy", checks.GetProperty("postgresql").GetProperty("status").GetString());
                Assert.Equal("PostgreSQL does not answer within 00:00:01 (Health:DatabaseTimeout)", checks.GetProperty("postgresql").GetProperty("description").GetString());
                Assert.Contains("PostgreSQL does not answer within", checks.GetProperty("migrations").GetProperty("description").GetString(), StringComparison.Ordinal);
                Assert.Equal("Healthy", checks.GetProperty("llamacloud").GetProperty("status").GetString());
            }

            // One line an operator can act on, naming each failing check and why, where the health check service
            // wrote two Errors at every probe (a Kubernetes probe comes every few seconds).
            Assert.Empty(From(sink, WorkerLogging.HealthCheckServiceCategory));
            var readiness = Assert.Single(From(sink, typeof(ReadinessLog).FullName!));
            Assert.Equal(LogEventLevel.Warning, readiness.Level);
            Assert.Null(readiness.Exception);
            var message = readiness.RenderMessage(CultureInfo.InvariantCulture);
            Assert.StartsWith("Not ready, /readyz answers 503 until these checks pass: \"migrations: cannot read the schema version: ", message, StringComparison.Ordinal);
            Assert.EndsWith("; postgresql: PostgreSQL does not answer within 00:00:01 (Health:DatabaseTimeout)\"", message, StringComparison.Ordinal);
        }
        finally
        {
            await relay.DisposeAsync(); // closes the hanging connections, so the host stops without waiting on them
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }
    }

    private static List<LogEvent> From(CapturingSink sink, string category) =>
        [.. sink.Events.Where(e => e.Properties.TryGetValue("SourceContext", out var c) && c.ToString() == $"\"{category}\"")];
}
