namespace BatchOrchestrator.Worker.IntegrationTests.CommandLine;

/// <summary>The verbs through the real executable: Program.cs, exit codes, stdout for answers and stderr for logs.</summary>
public sealed class ExecutableFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    [Fact]
    public async Task ConfigCheck_ExitsOne_ListingEveryProblem()
    {
        var (exitCode, output, _) = await WorkerProcess.RunAsync(Env.Root, ["config", "check", "--Sources:0:JobType=parse", "--Polling:Interval=00:00:00"], Env.Settings());

        Assert.Equal(1, exitCode);
        Assert.Contains("Sources:0:JobType", output, StringComparison.Ordinal);
        Assert.Contains("Polling:Interval", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_AnswersOnStdout_AndExitsZero_WithNoInformationLogs()
    {
        // With the shipped appsettings.json, whose log levels are the service's (Hangfire at Information).
        File.Copy(Repository.PathOf("appsettings.json"), Path.Combine(Env.Root, "appsettings.json"));
        var (exitCode, output, errors) = await WorkerProcess.RunAsync(Env.Root, ["status"], Env.Settings());

        Assert.True(exitCode == 0, errors);
        Assert.StartsWith("Paused LlamaCloud projects", output, StringComparison.Ordinal); // first, so a pause is not missed
        Assert.Contains("Sources", output, StringComparison.Ordinal);
        Assert.Contains("e2e", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Hangfire SQL objects", errors, StringComparison.Ordinal); // a verb logs warnings and up only
    }

    [Fact]
    public async Task AMistypedVerb_ExitsTwo_WithoutStartingTheService()
    {
        var (exitCode, output, errors) = await WorkerProcess.RunAsync(Env.Root, ["stauts"], Env.Settings());

        Assert.Equal(2, exitCode);
        Assert.Contains("Unknown command or argument 'stauts'", errors, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public async Task AMalformedArgument_ExitsTwo_SayingWhatIsWrongOnStderr()
    {
        var (exitCode, output, errors) = await WorkerProcess.RunAsync(Env.Root, ["approve", "abc"], Env.Settings());

        Assert.Equal(2, exitCode);
        Assert.StartsWith("approve: <run-id> must be a whole number, got 'abc'", errors, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Theory]
    [InlineData("scan")]
    [InlineData("plan")]
    public async Task AVerbOfAnUnknownSource_ExitsTwo_SayingWhichSourcesExist(string verb)
    {
        var (exitCode, output, errors) = await WorkerProcess.RunAsync(Env.Root, [verb, "nope"], Env.Settings());

        Assert.Equal(2, exitCode);
        Assert.StartsWith($"{verb}: No source is named 'nope'. Configured sources: e2e", errors, StringComparison.Ordinal);
        Assert.Empty(output);
    }
}
