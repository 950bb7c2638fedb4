namespace BatchOrchestrator.Worker.IntegrationTests.Metrics;

/// <summary>
/// The cap alert in deploy/prometheus/alerts.yml, evaluated by promtool on what a real /metrics scrape says of a cap
/// that holds files: planning takes files while they fit, so such a cap most often still has room, less than the next file needs.
/// </summary>
public sealed class CapAlertFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    [Fact]
    public async Task ACapThatHoldsFiles_WithRoomLeftForNone_RaisesTheCapAlert()
    {
        var promtool = Deployment.AlertingFacts.Promtool();
        await Env.WriteFilesAsync(3); // one page each, 10 credits at the default preset: one fits a cap of 15, 5 left
        var settings = Env.Settings();
        settings["Costs:Caps:0:Credits"] = "15";
        await using var host = await WorkerHost.StartAsync(Env.Root, settings);
        host.TriggerRun();
        using var http = new HttpClient { BaseAddress = host.Address };

        var metrics = await Env.EventuallyAsync(
            () => http.GetStringAsync(new Uri("metrics", UriKind.Relative)),
            text => Line(text, "batchorchestrator_files_held{", "source=\"e2e\"")?.EndsWith(" 2", StringComparison.Ordinal) == true
                && Line(text, "batchorchestrator_cap_headroom_credits{", "scope=\"global\"", "window=\"day\"")?.EndsWith(" 5", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(60),
            "two files held by the day cap, 5 credits left");

        Assert.Equal(2L, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Held' and held_cap = 'global/Day'"));
        var (exit, output) = await EvaluateAsync(promtool, metrics, "BatchOrchestratorCapReached", """
            - exp_labels: { severity: warning, scope: global, window: day }
              exp_annotations:
                summary: "Credit cap reached for global (day)"
                description: "The day cap of global is used up or holds files back: new files are held until the window turns, the cap is raised or their run is approved."
            """);
        Assert.True(exit == 0, output);
    }

    /// <summary>
    /// Runs promtool's unit test of <paramref name="alert"/> on the shipped rules, with the scrape's cap series (every
    /// series the alert could read) as input series of two replicas held for five minutes, expecting <paramref name="expected"/>
    /// (a YAML list of alerts) at 3m.
    /// </summary>
    private static async Task<(int Exit, string Output)> EvaluateAsync(string promtool, string metrics, string alert, string expected)
    {
        var series = metrics.Split('\n')
            .Where(l => l.StartsWith("batchorchestrator_cap_", StringComparison.Ordinal) && l.Contains('{', StringComparison.Ordinal))
            .SelectMany(l =>
            {
                var at = l.LastIndexOf(' ');
                var name = l[..at].Replace("{", "{instance=\"w{0}\",", StringComparison.Ordinal).Replace(",}", "}", StringComparison.Ordinal);
                return new[] { "1", "2" }.Select(w => $"      - series: '{name.Replace("{0}", w, StringComparison.Ordinal)}'\n        values: '{l[(at + 1)..]}x5'");
            });
        var folder = Directory.CreateTempSubdirectory("bo-cap-alert-").FullName;
        try
        {
            File.Copy(Repository.PathOf(Deployment.AlertingFacts.Rules), Path.Combine(folder, "alerts.yml"));
            var indented = string.Join('\n', expected.Split('\n').Select(l => "          " + l));
            await File.WriteAllTextAsync(Path.Combine(folder, "scrape.test.yml"), $"""
                rule_files: [alerts.yml]
                evaluation_interval: 1m
                tests:
                  - interval: 1m
                    input_series:
                {string.Join('\n', series)}
                    alert_rule_test:
                      - eval_time: 3m
                        alertname: {alert}
                        exp_alerts:
                {indented}
                """, Ct);
            return await Deployment.ManifestFacts.RunAsync(promtool, "test", "rules", Path.Combine(folder, "scrape.test.yml"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string? Line(string metrics, params string[] parts) =>
        metrics.Split('\n').FirstOrDefault(l => parts.All(p => l.Contains(p, StringComparison.Ordinal)))?.TrimEnd();
}
