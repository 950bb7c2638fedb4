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
    [InlineData("retry docs --failed --unconfirmed 12", "--Verb:Name=retry|--Verb:Target=docs|--Verb:Failed=true|--Verb:UnconfirmedBatch=12")]
    [InlineData("reprocess docs --dry-run", "--Verb:Name=reprocess|--Verb:Target=docs|--Verb:DryRun=true")]
    [InlineData("reprocess docs --filter a/**/*.pdf --before 2026-05-01", "--Verb:Name=reprocess|--Verb:Target=docs|--Verb:DryRun=false|--Verb:Filter=a/**/*.pdf|--Verb:Before=2026-05-01")]
    [InlineData("cancel run 12", "--Verb:Name=cancel-run|--Verb:Target=12")]
    [InlineData("cancel batch 7", "--Verb:Name=cancel-batch|--Verb:Target=7")]
    [InlineData("cancel jobs 7", "--Verb:Name=cancel-jobs|--Verb:Target=7")]
    [InlineData("rename-source e2e docs", "--Verb:Name=rename-source|--Verb:Target=e2e|--Verb:NewName=docs|--Verb:DryRun=false")]
    [InlineData("rename-source e2e docs --dry-run", "--Verb:Name=rename-source|--Verb:Target=e2e|--Verb:NewName=docs|--Verb:DryRun=true")]
    [InlineData("migrate", "--Verb:Name=migrate")]
    [InlineData("config check", "--Verb:Name=config-check")]
    public void EachVerb_BecomesVerbSettings_WithQuietLogsAndASharedEmbeddedDatabase(string line, string expected)
    {
        var parsed = BatchCommandLine.Parse([.. line.Split(' '), "--Database:ConnectionString=Host=db"]);

        Assert.Null(parsed.ExitCode);
        Assert.Equal([.. expected.Split('|'), "--Serilog:MinimumLevel:Default=Warning", "--Serilog:MinimumLevel:Override:Hangfire=Warning", "--Database:Embedded:StopIfFoundRunning=false", "--Database:ConnectionString=Host=db"], parsed.HostArguments);
    }

    [Theory]
    [InlineData("approve --Database:ConnectionString=Host=db 12", "--Verb:Name=approve|--Verb:Target=12", "--Database:ConnectionString=Host=db")]
    [InlineData("retry --Sources:0:Path=/x docs --failed", "--Verb:Name=retry|--Verb:Target=docs|--Verb:Failed=true", "--Sources:0:Path=/x")]
    [InlineData("cancel run --Urls http://127.0.0.1:5099 12", "--Verb:Name=cancel-run|--Verb:Target=12", "--Urls|http://127.0.0.1:5099")]
    [InlineData("status --LLAMA_CLOUD_BASE_URL=http://127.0.0.1:9/ --environment Staging", "--Verb:Name=status", "--LLAMA_CLOUD_BASE_URL=http://127.0.0.1:9/|--environment|Staging")]
    [InlineData("status --Sources:0:Exclude:0 -x /Pipeline:MaxFilesPerBatch 5 --BATCHORCHESTRATOR_WEBHOOK_SECRET=s", "--Verb:Name=status", "--Sources:0:Exclude:0|-x|/Pipeline:MaxFilesPerBatch|5|--BATCHORCHESTRATOR_WEBHOOK_SECRET=s")]
    [InlineData("--Sources:0:Path=/x plan docs", "--Verb:Name=plan|--Verb:Target=docs", "--Sources:0:Path=/x")]
    [InlineData("reprocess /Sources:0:Path=/x docs --filter a=b/** Sources:0:Name=docs", "--Verb:Name=reprocess|--Verb:Target=docs|--Verb:DryRun=false|--Verb:Filter=a=b/**", "/Sources:0:Path=/x|Sources:0:Name=docs")]
    public void AConfigurationSetting_IsNeverTakenForTheVerbsArgument_WhereverItStands(string line, string verb, string settings)
    {
        var parsed = BatchCommandLine.Parse(line.Split(' '));

        Assert.Null(parsed.ExitCode);
        Assert.Equal([.. verb.Split('|'), "--Serilog:MinimumLevel:Default=Warning", "--Serilog:MinimumLevel:Override:Hangfire=Warning", "--Database:Embedded:StopIfFoundRunning=false", .. settings.Split('|')], parsed.HostArguments);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("retry docs --faild")] // an option no verb has, and no setting without a value
    [InlineData("retry docs --bogus --failed")]
    [InlineData("retry --faild")]
    [InlineData("retry --filter x docs")] // reprocess's option, not retry's
    [InlineData("approve 12 13")]
    [InlineData("rename-source e2e")] // the new name is missing
    public void AMistypedCommand_EndsWithAnError_InsteadOfStartingTheService(string line)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var parsed = BatchCommandLine.Parse(line.Split(' '), output: output, error: error);

        Assert.Equal(2, parsed.ExitCode);
        Assert.Empty(parsed.HostArguments);
        Assert.Empty(output.ToString());
        Assert.NotEmpty(error.ToString());
    }

    [Theory]
    [InlineData("approve", "approve: <run-id> is missing")]
    [InlineData("approve abc", "approve: <run-id> must be a whole number, got 'abc'")]
    [InlineData("approve 0", "approve: <run-id> must be 1 or more, got '0'")]
    [InlineData("approve -3", "approve: <run-id> must be 1 or more, got '-3'")]
    [InlineData("approve --Database:ConnectionString=Host=db", "approve: <run-id> is missing")]
    [InlineData("cancel", "cancel: 'run <run-id>' or 'batch <batch-id>' or 'jobs <batch-id>' is missing")]
    [InlineData("cancel run", "cancel run: <run-id> is missing")]
    [InlineData("cancel run 1.5", "cancel run: <run-id> must be a whole number, got '1.5'")]
    [InlineData("cancel batch seven", "cancel batch: <batch-id> must be a whole number, got 'seven'")]
    [InlineData("cancel batch llx-CANARY", "cancel batch: <batch-id> must be a whole number, got 'llx-…'")]
    [InlineData("scan", "scan: <source> is missing")]
    [InlineData("retry", "retry: <source> is missing")]
    [InlineData("retry --failed", "retry: <source> is missing")]
    [InlineData("retry --Sources:0:Path=/x", "retry: <source> is missing")]
    [InlineData("retry --faild docs", "retry: unknown option '--faild'")]
    [InlineData("retry --Sources:0:Paht docs", "retry: <source> is missing ('docs' after '--Sources:0:Paht' is read as that setting's value)")]
    [InlineData("retry --Database:ConnectionString Host=db;Password=CANARY", "retry: <source> is missing ('…' after '--Database:ConnectionString' is read as that setting's value)")]
    [InlineData("status --Webhooks__SigningSecret=CANARY", "status: unknown option '--Webhooks__SigningSecret=…'")]
    [InlineData("status llx-CANARY", "status: unexpected argument 'llx-…'")]
    [InlineData("retry --Sources:0:Paht llx-CANARY", "retry: <source> is missing ('…' after '--Sources:0:Paht' is read as that setting's value)")]
    [InlineData("costs --days 3", "costs: unknown option '--days'")]
    [InlineData("status -Logs:Format=Text", "status: unknown option '-Logs:Format=Text'")]
    [InlineData("status --Logs:Format", "status: the setting --Logs:Format has no value (write --Logs:Format=value)")]
    [InlineData("retry docs --Logs:Format --failed", "retry: the setting --Logs:Format has no value (write --Logs:Format=value)")]
    [InlineData("costs --days=3", "costs: unknown option '--days=3'")]
    [InlineData("status days=3", "status: unexpected argument 'days=3'")]
    [InlineData("retry docs --faild", "retry: unknown option '--faild'")]
    [InlineData("retry docs --permanent", "retry: --permanent only goes with --failed: retry <source> --failed --permanent")]
    [InlineData("retry docs --unconfirmed 12", "retry: --unconfirmed <batch-id> only goes with --failed: retry <source> --failed --unconfirmed <batch-id>")]
    [InlineData("retry docs --failed --unconfirmed", "retry: --unconfirmed needs a value")]
    [InlineData("retry docs --failed --unconfirmed x", "retry: <batch-id> must be a whole number, got 'x'")]
    [InlineData("reprocess", "reprocess: <source> is missing")]
    [InlineData("reprocess docs --filter", "reprocess: --filter needs a value")]
    [InlineData("plan", "plan: <source> is missing")]
    [InlineData("plan --Sources:0:Name=docs", "plan: <source> is missing")]
    [InlineData("config", "config: 'check' or 'hash-secret' is missing")]
    [InlineData("status extra", "status: unexpected argument 'extra'")]
    public void AMissingOrMalformedArgument_ExitsTwo_WithOneLineNamingVerbAndArgument_ThenTheVerbsUsage(string line, string problem)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var parsed = BatchCommandLine.Parse(line.Split(' '), output: output, error: error);

        Assert.Equal(2, parsed.ExitCode);
        Assert.Empty(parsed.HostArguments); // no host: nothing is queued, migrated or changed
        Assert.Empty(output.ToString());
        var lines = error.ToString().Split(Environment.NewLine);
        Assert.Equal(problem, lines[0]);
        var verb = problem[..problem.IndexOf(':', StringComparison.Ordinal)];
        Assert.Contains(lines, l => l.Contains($" {verb} ", StringComparison.Ordinal)); // the usage line
        Assert.DoesNotContain("additional arguments", error.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("CANARY", error.ToString(), StringComparison.Ordinal); // a value that may be a secret
    }

    [Theory]
    [InlineData("--Database__ConnectionString=Host=db;Password=CANARY", "Unknown command or argument '--Database__ConnectionString=…'. Run with --help to see the commands.")]
    [InlineData("LLAMA_CLOUD_APIKEY=llx-CANARY", "Unknown command or argument 'LLAMA_CLOUD_APIKEY=…'. Run with --help to see the commands.")]
    [InlineData("stauts", "Unknown command or argument 'stauts'. Run with --help to see the commands.")]
    [InlineData("llx-CANARY", "Unknown command or argument 'llx-…'. Run with --help to see the commands.")]
    public void AWordThatMayCarryASecret_IsQuotedUpToItsEqualsSignOnly(string line, string problem)
    {
        using var error = new StringWriter();

        var parsed = BatchCommandLine.Parse([line], output: TextWriter.Null, error: error);

        Assert.Equal((2, problem), (parsed.ExitCode, error.ToString().Split(Environment.NewLine)[0]));
        Assert.DoesNotContain("CANARY", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptySourceName_IsRefused_AsAnUnsetVariableInAScriptWouldGiveIt()
    {
        using var error = new StringWriter();

        var parsed = BatchCommandLine.Parse(["retry", "", "--failed"], error: error);

        Assert.Equal(2, parsed.ExitCode);
        Assert.StartsWith("retry: <source> is empty", error.ToString(), StringComparison.Ordinal);
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
