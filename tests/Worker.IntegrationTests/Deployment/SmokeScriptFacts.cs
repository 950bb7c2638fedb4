namespace BatchOrchestrator.Worker.IntegrationTests.Deployment;

/// <summary>
/// deploy/compose/smoke.sh cannot run here (no Docker engine): what can be checked is that bash parses it,
/// shellcheck finds nothing (where installed; .ci/run installs it), and that it drives the compose file's
/// own services and prints what docs/deployment.md says it prints.
/// </summary>
[Collection(ChildProcesses.Collection)]
public sealed class SmokeScriptFacts
{
    private const string Script = "deploy/compose/smoke.sh";

    [Fact]
    public async Task TheComposeSmokeScript_ParsesInBash_AndShellcheckFindsNothing()
    {
        var (parsed, parseOutput) = await ManifestFacts.RunAsync("bash", "-n", Repository.PathOf(Script));
        Assert.True(parsed == 0, parseOutput);

        var (broken, _) = await ManifestFacts.RunAsync("bash", "-c", $"{{ cat '{Repository.PathOf(Script)}'; echo 'if true; then'; }} | bash -n");
        Assert.NotEqual(0, broken); // the check above can fail

        if (!File.Exists("/usr/bin/shellcheck"))
        {
            Assert.False(Environment.GetEnvironmentVariable("BATCHORCHESTRATOR_REQUIRE_PROMTOOL") is { Length: > 0 }, "shellcheck is not installed (apt-get install shellcheck)");
            Assert.Skip("shellcheck is not installed here: bash -n passed, shellcheck did NOT run (apt-get install shellcheck)");
        }

        var (clean, lint) = await ManifestFacts.RunAsync("shellcheck", Repository.PathOf(Script));
        Assert.True(clean == 0, lint);
    }

    [Fact]
    public void TheSmokeScript_UsesTheComposeFilesServices_AndEndsAsTheDocsSay()
    {
        var script = File.ReadAllText(Repository.PathOf(Script));
        var compose = File.ReadAllText(Repository.PathOf("deploy/compose/compose.yaml"));
        var docs = File.ReadAllText(Repository.PathOf("docs/deployment.md"));

        foreach (var service in new[] { "postgres", "worker" })
        {
            Assert.Contains($"\n  {service}:", compose, StringComparison.Ordinal);
        }

        Assert.Contains("worker:/data/inbox/", script, StringComparison.Ordinal);
        Assert.Contains("- inbox:/data/inbox", compose, StringComparison.Ordinal);
        Assert.Contains("dotnet BatchOrchestrator.Worker.dll status", script, StringComparison.Ordinal);
        Assert.Contains("[smoke] SMOKE OK", docs, StringComparison.Ordinal);
        Assert.Contains("say \"SMOKE OK\"", script, StringComparison.Ordinal);
    }
}
