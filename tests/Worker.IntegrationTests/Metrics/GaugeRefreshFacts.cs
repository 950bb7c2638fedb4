using BatchOrchestrator.Worker.Metrics;
using Serilog.Events;

namespace BatchOrchestrator.Worker.IntegrationTests.Metrics;

/// <summary>
/// The gauges are read from tables that grow with history (docs/performance.md, "The gauges at scale"): a slow reading
/// spaces out the next, so that reading them never keeps the database busy, however large it has grown; a first or a
/// single slow reading does not, so that it cannot keep the gauges a minute old.
/// </summary>
public sealed class GaugeRefreshFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    [Fact]
    public async Task TwoReadingsThatTookASecond_WaitFiftyTimesAsLongBeforeTheNext_AndSaySo()
    {
        var logs = new CapturingSink();
        var settings = Env.Settings();
        settings["Metrics:RefreshInterval"] = "00:00:01";
        settings[$"Serilog:MinimumLevel:Override:{typeof(GaugeRefresher).FullName}"] = "Information";
        await using (var first = await SlowReadingAsync())
        {
            await using var host = await WorkerHost.StartAsync(Env.Root, settings, logs);
            await first.BlockedAsync();
            await first.ReleaseAsync(); // the first reading, slow: it stretches nothing (it pays for the start)
            using var http = new HttpClient { BaseAddress = host.Address };
            await using var second = await SlowReadingAsync(scrape: http);
            await second.BlockedAsync(); // so the first has ended, and said whatever it would say
            Assert.DoesNotContain(logs.Events, e => e.MessageTemplate.Text.StartsWith("Reading the gauges took", StringComparison.Ordinal));
            await second.ReleaseAsync(); // the second, slow too: now the next one waits

            var stretched = await Env.EventuallyAsync(
                () => Task.FromResult(logs.Events.FirstOrDefault(e => e.MessageTemplate.Text.StartsWith("Reading the gauges took", StringComparison.Ordinal))),
                e => e is not null,
                TimeSpan.FromSeconds(30),
                "the refresher to say it reads the gauges less often");
            var took = Span(stretched!, "Took");
            var pause = Span(stretched!, "Pause");
            Assert.True(took >= TimeSpan.FromSeconds(1), $"took {took}");
            Assert.Equal(GaugeRefresher.Pause(TimeSpan.FromSeconds(1), took), pause); // fifty times, up to two minutes
            Assert.True(pause >= TimeSpan.FromSeconds(50), $"pause {pause}");
            Assert.Equal(LogEventLevel.Information, stretched!.Level);
            Assert.Contains("not every", stretched.MessageTemplate.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AQuickReading_KeepsTheConfiguredInterval_AndASlowOneWaitsAtMostTwoMinutes()
    {
        Assert.Equal(TimeSpan.FromSeconds(15), GaugeRefresher.Pause(TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(20)));
        Assert.Equal(TimeSpan.FromSeconds(30), GaugeRefresher.Pause(TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(600)));
        Assert.Equal(GaugeRefresher.LongestPause, GaugeRefresher.Pause(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30))); // a command timeout
        Assert.Equal(TimeSpan.FromMinutes(5), GaugeRefresher.Pause(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30))); // never below the interval
    }

    [Fact]
    public void TheFirstReading_OrASingleSlowOne_StretchesNothing()
    {
        var second = TimeSpan.FromSeconds(1);
        var quick = TimeSpan.FromMilliseconds(20);
        Assert.Equal(TimeSpan.Zero, GaugeRefresher.Cost(before: null, second)); // the first, after the start
        Assert.Equal(quick, GaugeRefresher.Cost(before: quick, second)); // one slow reading after a quick one
        Assert.Equal(quick, GaugeRefresher.Cost(before: second, quick));
        Assert.Equal(second, GaugeRefresher.Cost(before: second * 2, second)); // slow twice: the database has grown
        Assert.Equal(TimeSpan.FromSeconds(15), GaugeRefresher.Pause(TimeSpan.FromSeconds(15), GaugeRefresher.Cost(before: quick, second)));
    }

    /// <summary>
    /// Makes the gauges' next reading slow: the table of files set aside, which they count, locked until the reading has
    /// waited a second on it (the slowness a database of a million files gives it). The reading is made to come by
    /// scraping <paramref name="scrape"/>, when given: the refresher reads again only once a scrape has read the last values.
    /// </summary>
    private async Task<SlowReading> SlowReadingAsync(HttpClient? scrape = null)
    {
        var connection = await Env.Database.DataSource.OpenConnectionAsync(Ct);
        var transaction = await connection.BeginTransactionAsync(Ct);
        await using (var lockTable = new NpgsqlCommand("lock table orchestrator.source_file_problem in access exclusive mode", connection, transaction))
        {
            await lockTable.ExecuteNonQueryAsync(Ct);
        }

        return new SlowReading(this, connection, transaction, scrape);
    }

    private sealed class SlowReading(GaugeRefreshFacts facts, NpgsqlConnection connection, NpgsqlTransaction transaction, HttpClient? scrape) : IAsyncDisposable
    {
        /// <summary>Waits for the reading to wait on the lock.</summary>
        public Task BlockedAsync() =>
            facts.Env.EventuallyAsync(
                async () =>
                {
                    if (scrape is not null)
                    {
                        await scrape.GetStringAsync(new Uri("metrics", UriKind.Relative), Ct);
                    }

                    // The reading's first line: PostgreSQL keeps only the first kilobyte of a query's text here.
                    return await facts.Env.Database.ScalarAsync<long>("select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like 'select ''files'' as metric%'");
                },
                n => n == 1,
                TimeSpan.FromSeconds(30),
                "the gauges' reading to wait on the locked table");

        /// <summary>Holds the waiting reading a second, then lets it finish.</summary>
        public async Task ReleaseAsync()
        {
            await Task.Delay(TimeSpan.FromSeconds(1), Ct); // the slow reading under test, not a wait on another party
            await transaction.CommitAsync(Ct);
        }

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    private static TimeSpan Span(LogEvent e, string property) =>
        TimeSpan.Parse(((ScalarValue)e.Properties[property]).Value!.ToString()!, System.Globalization.CultureInfo.InvariantCulture);
}
