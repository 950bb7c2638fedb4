using BatchOrchestrator.Worker.Metrics;
using Serilog.Events;

namespace BatchOrchestrator.Worker.IntegrationTests.Metrics;

/// <summary>
/// The gauges are read from tables that grow with history (docs/performance.md, "The gauges at scale"): a slow reading
/// spaces out the next, so that reading them never keeps the database busy, however large it has grown.
/// </summary>
public sealed class GaugeRefreshFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    [Fact]
    public async Task AReadingThatTookASecond_WaitsFiftyTimesAsLongBeforeTheNext_AndSaysSo()
    {
        // The database made slow for the reading alone: the table of files set aside, which the gauges count, locked
        // until the reading has waited a second on it (the slowness a database of a million files gives it).
        await using var connection = await Env.Database.DataSource.OpenConnectionAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        await using (var lockTable = new NpgsqlCommand("lock table orchestrator.source_file_problem in access exclusive mode", connection, transaction))
        {
            await lockTable.ExecuteNonQueryAsync(Ct);
        }

        var logs = new CapturingSink();
        var settings = Env.Settings();
        settings["Metrics:RefreshInterval"] = "00:00:01";
        settings[$"Serilog:MinimumLevel:Override:{typeof(GaugeRefresher).FullName}"] = "Information";
        await using var host = await WorkerHost.StartAsync(Env.Root, settings, logs);
        await Env.EventuallyAsync(
            // The reading's first line: PostgreSQL keeps only the first kilobyte of a query's text here.
            () => Env.Database.ScalarAsync<long>("select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like 'select ''files'' as metric%'"),
            n => n == 1,
            TimeSpan.FromSeconds(30),
            "the gauges' reading to wait on the locked table");
        await Task.Delay(TimeSpan.FromSeconds(1), Ct); // the slow reading under test, not a wait on another party
        await transaction.CommitAsync(Ct);

        var stretched = await Env.EventuallyAsync(
            () => Task.FromResult(logs.Events.FirstOrDefault(e => e.MessageTemplate.Text.StartsWith("Reading the gauges took", StringComparison.Ordinal))),
            e => e is not null,
            TimeSpan.FromSeconds(30),
            "the refresher to say it reads the gauges less often");
        var took = Span(stretched!, "Took");
        var pause = Span(stretched!, "Pause");
        Assert.True(took >= TimeSpan.FromSeconds(1), $"took {took}");
        Assert.Equal(took * GaugeRefresher.TimesItsReading, pause);
        Assert.Equal(LogEventLevel.Information, stretched!.Level);
        Assert.Contains("not every", stretched.MessageTemplate.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void AQuickReading_KeepsTheConfiguredInterval_AndASlowOneWaitsAtMostTwoMinutes()
    {
        Assert.Equal(TimeSpan.FromSeconds(15), GaugeRefresher.Pause(TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(20)));
        Assert.Equal(TimeSpan.FromSeconds(30), GaugeRefresher.Pause(TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(600)));
        Assert.Equal(GaugeRefresher.LongestPause, GaugeRefresher.Pause(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30))); // a command timeout
        Assert.Equal(TimeSpan.FromMinutes(5), GaugeRefresher.Pause(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30))); // never below the interval
    }

    private static TimeSpan Span(LogEvent e, string property) =>
        TimeSpan.Parse(((ScalarValue)e.Properties[property]).Value!.ToString()!, System.Globalization.CultureInfo.InvariantCulture);
}
