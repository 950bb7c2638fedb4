namespace BatchOrchestrator.Worker.IntegrationTests.Costs;

/// <summary>
/// What an operator sees and does about cost: <c>plan</c> changes nothing, a cap holds files with its
/// name and reason (<c>status</c>, <c>costs</c>, the Costs page), a read-only user sees held files but no
/// Approve button and cannot approve, an operator can, and the <c>approve</c> verb sends held files on.
/// </summary>
public sealed class CostSurfacesFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    private const string ReadOnlyPassword = "look-but-do-not-touch";
    private const string OperatorToken = "operator-token-9c1d77";

    [Fact]
    public async Task Plan_ChangesNothing_ThenACapHoldsWhatDoesNotFit_AndOnlyAnOperatorApprovesIt()
    {
        await Env.WriteFilesAsync(5); // one page each, 10 credits at the default preset: 50, under a cap of 25

        var (planExit, plan) = await VerbAsync("plan", TestEnvironment.SourceName);

        Assert.Equal(0, planExit);
        Assert.Contains("Plan of the next run of e2e", plan, StringComparison.Ordinal);
        Assert.Matches(@"global/Day\s+25\s+0\s+2\s+20\s+3\s+held by the Day cap on global", plan);
        foreach (var table in new[] { "run", "source_file", "file_version", "credit_charge", "batch", "configuration_tier" })
        {
            Assert.Equal(0L, await Env.Database.ScalarAsync<long>($"select count(*) from orchestrator.{table}"));
        }

        Assert.Equal(0, (await VerbAsync("scan", TestEnvironment.SourceName)).ExitCode);
        Assert.Equal(3L, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Held' and held_cap = 'global/Day'"));
        var runId = await Env.Database.ScalarAsync<long>("select max(id) from orchestrator.run");

        // Later runs still find them held: they stay under the run that first held them, so an approval of that
        // run (a page or a command read minutes ago) still sends them on.
        Assert.Equal(0, (await VerbAsync("scan", TestEnvironment.SourceName)).ExitCode);
        Assert.True(await Env.Database.ScalarAsync<long>("select max(id) from orchestrator.run") > runId);
        Assert.Equal(3L, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Held' and held_run_id = $1", runId));

        var (_, status) = await VerbAsync("status");
        Assert.Matches(@"Held by a spending cap[^\n]*\n[^\n]*\n\s*e2e\s+" + runId + @"\s+global/Day\s+3\s+", status);
        var (_, costs) = await VerbAsync("costs");
        Assert.Matches(@"e2e\s+\d{4}-\d\d-\d\d\s+2\s+2\s+-\s+20\s+-", costs); // two attempts, two pages, 20 credits reserved, none billed yet
        Assert.Contains("days begin at midnight in UTC, as the Day caps' days do", costs, StringComparison.Ordinal);

        await using (var host = await WorkerHost.StartAsync(Env.Root, WithCredentials(), configure: RemoteCaller.AddTo))
        {
            using var viewer = new DashboardClient(host.Address, DashboardClient.Basic("viewer", ReadOnlyPassword));
            var page = await viewer.GetPageAsync("hangfire/ops/costs");
            Assert.Contains("global/Day", page, StringComparison.Ordinal);
            Assert.Contains("Days begin at midnight in UTC (Costs:TimeZone), as the Day caps", page, StringComparison.Ordinal);
            Assert.DoesNotContain("ops-action", page, StringComparison.Ordinal);
            Assert.Contains("held by the Day cap on global", await viewer.GetPageAsync("hangfire/ops/plan/e2e"), StringComparison.Ordinal);
            var overview = await viewer.GetPageAsync("hangfire" + DashboardLanding.OverviewPath);
            Assert.Contains("3 files of e2e are held by a spending cap: held by the Day cap on global", overview, StringComparison.Ordinal);
            Assert.DoesNotContain("Nothing needs a person", overview, StringComparison.Ordinal);
            using (var refused = await viewer.PostCommandAsync($"hangfire/ops/actions/approve/{runId}", "hangfire/ops/costs"))
            {
                Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            }

            Assert.Equal(3L, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Held'"));

            using var operatorClient = new DashboardClient(host.Address, DashboardClient.Bearer(OperatorToken));
            var costsPage = await operatorClient.GetPageAsync("hangfire/ops/costs");
            Assert.Contains($"ops/actions/approve/{runId}", costsPage, StringComparison.Ordinal);
            // The button approves the run, whatever cap held each file, and says so: one per cap read as approving that cap's alone.
            Assert.Contains($"Let every file run {runId} holds go on past the caps, under this cap or any other?", costsPage, StringComparison.Ordinal);
        }

        var (approveExit, approved) = await VerbAsync("approve", runId.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(0, approveExit);
        Assert.Contains($"3 files held by a cap in run {runId} are approved", approved, StringComparison.Ordinal);
        Assert.Equal(3L, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Discovered' and cap_approved_at is not null"));
    }

    [Fact]
    public async Task Scan_SaysACapHeldEveryNewFile_AndHowToSendThem_NotThatNothingWasNew()
    {
        await Env.WriteFilesAsync(2); // 10 credits each, over a cap of 5: both held, so the run plans no batch
        var settings = Settings();
        settings["Costs:Caps:0:Credits"] = "5";
        settings["Verb:Name"] = "scan";
        settings["Verb:Target"] = TestEnvironment.SourceName;

        var (exitCode, output) = await WorkerHost.RunVerbAsync(Env.Root, settings);

        var runId = await Env.Database.ScalarAsync<long>("select max(id) from orchestrator.run");
        Assert.Equal(0, exitCode);
        Assert.Equal("NoChanges", await Env.Database.ScalarAsync<string>("select state from orchestrator.run where id = $1", runId));
        Assert.Contains($"It planned no batch: a spending cap holds 2 of its files ('status' says why and when they go on; 'approve {runId}' sends them now).", output, StringComparison.Ordinal);
        Assert.DoesNotContain("nothing was new", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigCheck_NamesANonNumericPrice_ANegativePrice_ACapOnAnUnknownSource_AndAFallbackOfAnotherJobType()
    {
        var settings = Settings();
        settings["Verb:Name"] = "config-check";
        settings["Costs:UsdPer1000Credits"] = "cheap";
        settings["Costs:CreditsPerPage:parse_v2:fast"] = "-1";
        settings["Costs:Caps:1:Source"] = "nope";
        settings["Costs:Caps:1:Credits"] = "10";
        settings["Sources:0:JobType"] = "extract_v2";
        settings["Sources:0:ConfigurationId"] = "cfg-EXTRACT";
        settings["Sources:0:FallbackConfigurationId"] = "cfg-PARSE_AGENTIC";

        var (exitCode, _, output) = await WorkerHost.RunVerbSplitAsync(Env.Root, settings); // problems go to stderr

        // A value of the wrong type is named in our words beside the other problems, not alone in the binder's.
        Assert.Equal(1, exitCode);
        Assert.Contains("Costs:UsdPer1000Credits: 'cheap' is not a number", output, StringComparison.Ordinal);
        AssertTheOtherProblems(output);
        Assert.Contains("4 problems in the configuration.", output, StringComparison.Ordinal);

        settings["Costs:UsdPer1000Credits"] = "-1";
        (exitCode, _, output) = await WorkerHost.RunVerbSplitAsync(Env.Root, settings);
        Assert.Equal(1, exitCode);
        Assert.Contains("Costs:UsdPer1000Credits: -1 must not be negative", output, StringComparison.Ordinal);
        AssertTheOtherProblems(output);

        static void AssertTheOtherProblems(string output)
        {
            Assert.Contains("Costs:CreditsPerPage:parse_v2:fast: -1 must not be negative", output, StringComparison.Ordinal);
            Assert.Contains("Costs:Caps:1:Source: 'nope' is not a configured source", output, StringComparison.Ordinal);
            Assert.Contains("Sources:0:FallbackConfigurationId: 'cfg-PARSE_AGENTIC' is a preset of parse_v2, but Sources:0:JobType is extract_v2", output, StringComparison.Ordinal);
        }
    }

    private Task<(int ExitCode, string Output)> VerbAsync(string verb, string? target = null)
    {
        var settings = Settings();
        settings["Verb:Name"] = verb;
        settings["Verb:Target"] = target;
        return WorkerHost.RunVerbAsync(Env.Root, settings);
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = Env.Settings();
        settings["Costs:Caps:0:Credits"] = "25";
        return settings;
    }

    private Dictionary<string, string?> WithCredentials()
    {
        var settings = Settings();
        settings["Dashboard:Users:0:Name"] = "viewer";
        settings["Dashboard:Users:0:PasswordHash"] = SecretHash.Create(ReadOnlyPassword);
        settings["Dashboard:Users:0:Role"] = "ReadOnly";
        settings["Dashboard:Tokens:0:Name"] = "automation";
        settings["Dashboard:Tokens:0:Hash"] = SecretHash.Create(OperatorToken);
        settings["Dashboard:Tokens:0:Role"] = "Operator";
        return settings;
    }
}
