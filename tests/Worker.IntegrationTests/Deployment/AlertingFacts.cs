namespace BatchOrchestrator.Worker.IntegrationTests.Deployment;

/// <summary>
/// deploy/prometheus/alerts.yml passes promtool's check and its unit tests, each alert shown both firing
/// and silent; every query of deploy/grafana/batchorchestrator.json is valid PromQL. (That both only name
/// metrics /metrics exports is checked against a real scrape in HealthAndMetricsFacts.)
/// </summary>
[Collection(ChildProcesses.Collection)]
public sealed class AlertingFacts
{
    public const string Rules = "deploy/prometheus/alerts.yml";
    public const string RuleTests = "deploy/prometheus/alerts.test.yml";
    public const string Dashboard = "deploy/grafana/batchorchestrator.json";

    [Fact]
    public async Task TheAlertRules_PassPromtoolCheck_AndTheirUnitTests()
    {
        var promtool = Promtool();

        var (checkExit, check) = await ManifestFacts.RunAsync(promtool, "check", "rules", Repository.PathOf(Rules));
        var (testExit, tests) = await ManifestFacts.RunAsync(promtool, "test", "rules", Repository.PathOf(RuleTests));

        Assert.True(checkExit == 0 && check.Contains("SUCCESS", StringComparison.Ordinal), check);
        Assert.True(testExit == 0 && tests.Contains("SUCCESS", StringComparison.Ordinal), tests);
    }

    [Fact]
    public async Task APromtoolUnitTest_FailsWhenARuleNoLongerFiresAsItsTestSays()
    {
        var promtool = Promtool();
        var folder = Directory.CreateTempSubdirectory("bo-alerts-").FullName;
        try
        {
            // A copy whose stuck-batch alert never fires: its test must fail, so the suite above can too.
            var rules = (await File.ReadAllTextAsync(Repository.PathOf(Rules), Ct))
                .Replace("""(batchorchestrator_stuck{what="batch"}) > 0""", """(batchorchestrator_stuck{what="batch"}) > 100""", StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(folder, "alerts.yml"), rules, Ct);
            File.Copy(Repository.PathOf(RuleTests), Path.Combine(folder, "alerts.test.yml"));

            var (exit, output) = await ManifestFacts.RunAsync(promtool, "test", "rules", Path.Combine(folder, "alerts.test.yml"));

            Assert.NotEqual(0, exit);
            Assert.Contains("BatchOrchestratorBatchesStuck", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void EveryAlert_HasATestWhereItFires_AndOneWhereItDoesNot()
    {
        var alerts = Yaml(Rules)["groups"].AllNodes.OfType<YamlMappingNode>()
            .Where(n => n.Children.ContainsKey("alert")).Select(n => n["alert"].ToString()).ToList();
        var evaluations = Yaml(RuleTests)["tests"].AllNodes.OfType<YamlMappingNode>()
            .Where(n => n.Children.ContainsKey("alertname"))
            .Select(n => (Alert: n["alertname"].ToString(), Fires: ((YamlSequenceNode)n["exp_alerts"]).Children.Count > 0))
            .ToList();

        Assert.Equal(13, alerts.Count);
        Assert.All(alerts, alert =>
        {
            Assert.Contains((alert, true), evaluations);
            Assert.Contains((alert, false), evaluations);
        });
    }

    [Fact]
    public async Task TheGrafanaDashboard_Parses_AndEveryPanelQueryIsValidPromQL()
    {
        var promtool = Promtool();
        var queries = DashboardQueries();
        var folder = Directory.CreateTempSubdirectory("bo-grafana-").FullName;
        try
        {
            // promtool parses PromQL in rule files: each panel query becomes a recording rule, Grafana's variables replaced.
            var rules = "groups:\n  - name: grafana-panels\n    rules:\n" + string.Concat(queries.Select((q, i) =>
                $"      - record: grafana:panel_{i}\n        expr: '{q.Replace("$__rate_interval", "5m", StringComparison.Ordinal).Replace("$source", ".*", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal)}'\n"));
            await File.WriteAllTextAsync(Path.Combine(folder, "panels.yml"), rules, Ct);

            var (exit, output) = await ManifestFacts.RunAsync(promtool, "check", "rules", Path.Combine(folder, "panels.yml"));

            Assert.True(exit == 0 && output.Contains($"SUCCESS: {queries.Count} rules found", StringComparison.Ordinal), output + "\n" + rules);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Every PromQL expression of the dashboard's panels (rows hold none).</summary>
    internal static List<string> DashboardQueries()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Repository.PathOf(Dashboard)));
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToList();
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        var queries = panels.Where(p => p.GetProperty("type").GetString() != "row")
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!)
            .ToList();
        Assert.NotEmpty(queries);
        return queries;
    }

    /// <summary>Every metric name the rules and the dashboard read.</summary>
    internal static IReadOnlySet<string> MetricsRead()
    {
        var texts = DashboardQueries().Append(File.ReadAllText(Repository.PathOf(Rules)));
        return texts.SelectMany(t => System.Text.RegularExpressions.Regex.Matches(t, "batchorchestrator_[a-z0-9_]+").Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);
    }

    private static YamlMappingNode Yaml(string path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Repository.PathOf(path))));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    /// <summary>Debian's prometheus package provides promtool; .ci/run installs it and makes its absence a failure.</summary>
    internal static string Promtool()
    {
        var found = new[] { "/usr/bin/promtool", "/usr/local/bin/promtool" }.FirstOrDefault(File.Exists);
        if (found is null)
        {
            const string message = "promtool is not installed (apt-get install prometheus); the alert rules and the dashboard were NOT checked";
            Assert.False(Environment.GetEnvironmentVariable("BATCHORCHESTRATOR_REQUIRE_PROMTOOL") is { Length: > 0 }, message);
            Assert.Skip(message);
        }

        return found;
    }
}
