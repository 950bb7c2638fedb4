namespace BatchOrchestrator.Worker.IntegrationTests.CommandLine;

/// <summary>How the command line turns into the host's settings (no host needed).</summary>
[Collection(ChildProcesses.Collection)]
public sealed class CommandLineParsingFacts
{
    [Fact]
    public void NoVerb_RunsTheService_AndKeepsSettingsAsConfiguration()
    {
        var parsed = BatchCommandLine.Parse(["--Sources:0:Path=/data/in", "--Urls", "http://127.0.0.1:5099"]);

        Assert.Null(parsed.ExitCode);
        Assert.Equal(["--Verb:Name=run", "--Sources:0:Path=/data/in", "--Urls", "http://127.0.0.1:5099"], parsed.HostArguments);
    }

    [Theory]
    [InlineData("scan docs", "--Verb:Name=scan|--Verb:Target=docs")]
    [InlineData("status", "--Verb:Name=status")]
    [InlineData("retry docs", "--Verb:Name=retry|--Verb:Target=docs|--Verb:Failed=false")]
    [InlineData("retry docs --failed", "--Verb:Name=retry|--Verb:Target=docs|--Verb:Failed=true")]
    [InlineData("retry docs --failed --permanent", "--Verb:Name=retry|--Verb:Target=docs|--Verb:Failed=true|--Verb:IncludePermanent=true")]
    [InlineData("reprocess docs --dry-run", "--Verb:Name=reprocess|--Verb:Target=docs|--Verb:DryRun=true")]
    [InlineData("reprocess docs --filter a/**/*.pdf --before 2026-05-01", "--Verb:Name=reprocess|--Verb:Target=docs|--Verb:DryRun=false|--Verb:Filter=a/**/*.pdf|--Verb:Before=2026-05-01")]
    [InlineData("cancel run 12", "--Verb:Name=cancel-run|--Verb:Target=12")]
    [InlineData("cancel batch 7", "--Verb:Name=cancel-batch|--Verb:Target=7")]
    [InlineData("migrate", "--Verb:Name=migrate")]
    [InlineData("config check", "--Verb:Name=config-check")]
    public void EachVerb_BecomesVerbSettings_WithQuietLogsAndASharedEmbeddedDatabase(string line, string expected)
    {
        var parsed = BatchCommandLine.Parse([.. line.Split(' '), "--Database:ConnectionString=Host=db"]);

        Assert.Null(parsed.ExitCode);
        Assert.Equal([.. expected.Split('|'), "--Serilog:MinimumLevel:Default=Warning", "--Serilog:MinimumLevel:Override:Hangfire=Warning", "--Database:Embedded:StopIfFoundRunning=false", "--Database:ConnectionString=Host=db"], parsed.HostArguments);
    }

    [Theory]
    [InlineData("frobnicate", 2)]
    [InlineData("scan", 1)]
    [InlineData("cancel batch seven", 1)]
    [InlineData("retry docs --faild", 2)] // an option no verb has, and no setting without a value
    [InlineData("retry docs --bogus --failed", 2)]
    public void AMistypedCommand_EndsWithAnError_InsteadOfStartingTheService(string line, int exitCode)
    {
        using var output = new StringWriter();

        var parsed = BatchCommandLine.Parse(line.Split(' '), output: output);

        Assert.Equal(exitCode, parsed.ExitCode);
        Assert.Empty(parsed.HostArguments);
    }

    [Fact]
    public void Help_ListsEveryVerb()
    {
        using var output = new StringWriter();

        var parsed = BatchCommandLine.Parse(["--help"], output: output);

        Assert.Equal(0, parsed.ExitCode);
        foreach (var verb in new[] { "run", "scan", "status", "retry", "reprocess", "cancel", "migrate", "config" })
        {
            Assert.Contains($"  {verb}", output.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void HashSecret_PrintsAHashThatVerifiesTheSecret_AndNotTheSecret()
    {
        using var output = new StringWriter();

        var parsed = BatchCommandLine.Parse(["config", "hash-secret"], new StringReader("s3cret-pass\n"), output);

        var hash = output.ToString().Trim();
        Assert.Equal(0, parsed.ExitCode);
        Assert.StartsWith("pbkdf2-sha256$", hash, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pass", hash, StringComparison.Ordinal);
        Assert.True(SecretHash.Verify("s3cret-pass", hash));
        Assert.False(SecretHash.Verify("s3cret-pasS", hash));
    }
}
