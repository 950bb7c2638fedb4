namespace BatchOrchestrator.Worker.IntegrationTests.Dashboard;

/// <summary>
/// Who may look and who may act (docs/reliability.md §4.3 S1). Remote callers are made by
/// <see cref="RemoteCaller"/>: the real host on loopback, with every connection's remote address rewritten to 10.1.2.3.
/// </summary>
public sealed class DashboardAccessFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    private const string ReadOnlyPassword = "look-but-do-not-touch";
    private const string OperatorToken = "operator-token-5b8f0c";

    [Fact]
    public async Task ARemoteRequestWithoutCredentials_IsRefused_EvenWhenNoUserIsConfigured()
    {
        await using var host = await WorkerHost.StartAsync(Env.Root, Env.Settings(), configure: RemoteCaller.AddTo);
        using var remote = new DashboardClient(host.Address);

        foreach (var path in new[] { "hangfire", "hangfire/ops/sources", "hangfire/ops/files", "hangfire/jobs/succeeded" })
        {
            using var response = await remote.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var trigger = await remote.GetAsync("hangfire/ops/actions/run/e2e");
        Assert.Equal(HttpStatusCode.Unauthorized, trigger.StatusCode);
        Assert.Equal(0L, await RunsStartedAsync());
    }

    [Fact]
    public async Task ARemoteRequest_WithMissingOrWrongCredentials_IsRefused_AndAskedForThem()
    {
        await using var host = await WorkerHost.StartAsync(Env.Root, WithCredentials(), configure: RemoteCaller.AddTo);

        using (var anonymous = new DashboardClient(host.Address))
        using (var response = await anonymous.GetAsync("hangfire/ops/sources"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.StartsWith("Basic realm=", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        foreach (var credentials in new[] { DashboardClient.Basic("viewer", "wrong"), DashboardClient.Basic("nobody", ReadOnlyPassword), DashboardClient.Bearer("not-a-token") })
        {
            using var client = new DashboardClient(host.Address, credentials);
            using var response = await client.GetAsync("hangfire/ops/sources");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task AReadOnlyUser_SeesEveryPage_ButCannotTriggerAnything()
    {
        await Env.WriteFilesAsync(2);
        await using var host = await WorkerHost.StartAsync(Env.Root, WithCredentials(), configure: RemoteCaller.AddTo);
        using var viewer = new DashboardClient(host.Address, DashboardClient.Basic("viewer", ReadOnlyPassword));

        foreach (var path in new[] { "hangfire/ops/sources", "hangfire/ops/runs", "hangfire/ops/batches", "hangfire/ops/files", "hangfire/recurring" })
        {
            var page = await viewer.GetPageAsync(path);
            Assert.DoesNotContain("ops-action", page, StringComparison.Ordinal);
        }

        Assert.Contains("Read-only access", await viewer.GetPageAsync("hangfire/ops/sources"), StringComparison.Ordinal);
        foreach (var command in new[] { "hangfire/ops/actions/run/e2e", "hangfire/ops/actions/retry/e2e", "hangfire/ops/actions/cancel-run/1", "hangfire/ops/actions/cancel-batch/1", "hangfire/ops/actions/cancel-jobs/1" })
        {
            using var refused = await viewer.PostCommandAsync(command);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        // Hangfire's own commands (trigger a recurring job, requeue) are refused for the same caller.
        using (var trigger = await viewer.PostCommandAsync("hangfire/recurring/trigger", "hangfire/recurring"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, trigger.StatusCode);
        }

        Assert.Equal(0L, await RunsStartedAsync());
        Assert.Equal(0L, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.run"));
    }

    [Fact]
    public async Task AnOperatorToken_CanActFromAnotherMachine()
    {
        await Env.WriteFilesAsync(2);
        await using var host = await WorkerHost.StartAsync(Env.Root, WithCredentials(), configure: RemoteCaller.AddTo);
        using var operatorClient = new DashboardClient(host.Address, DashboardClient.Bearer(OperatorToken));

        Assert.Contains("ops-action", await operatorClient.GetPageAsync("hangfire/ops/sources"), StringComparison.Ordinal);
        using var accepted = await operatorClient.PostCommandAsync("hangfire/ops/actions/run/e2e");

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("A run of e2e is queued.", await accepted.Content.ReadAsStringAsync(Ct));
        await Env.WaitForEndedAsync(2);
    }

    [Fact]
    public async Task ALocalRequest_ActsWithoutCredentials_ButNeedsTheAntiforgeryToken_AndCanBeMadeReadOnly()
    {
        await using (var host = await WorkerHost.StartAsync(Env.Root, Env.Settings()))
        {
            using var local = new DashboardClient(host.Address);
            using (var noToken = new HttpClient { BaseAddress = host.Address })
            using (var forged = await noToken.PostAsync(new Uri("hangfire/ops/actions/run/e2e", UriKind.Relative), null, Ct))
            {
                Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
            }

            Assert.Equal(0L, await RunsStartedAsync());
            using var accepted = await local.PostCommandAsync("hangfire/ops/actions/run/e2e");
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
            await Env.EventuallyAsync(async () => await RunsStartedAsync() == 1, TimeSpan.FromSeconds(30), "the run job to be enqueued");
        }

        var settings = Env.Settings();
        settings["Dashboard:LocalRequests"] = "ReadOnly";
        await using (var host = await WorkerHost.StartAsync(Env.Root, settings))
        {
            using var local = new DashboardClient(host.Address);
            using var refused = await local.PostCommandAsync("hangfire/ops/actions/run/e2e");
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
    }

    [Fact]
    public async Task AnActionRefused_AnswersItsReason_AsPlainText()
    {
        // The page's script shows the answer as the reason; without a type, a browser would guess one from its content.
        await using var host = await WorkerHost.StartAsync(Env.Root, Env.Settings());
        using var local = new DashboardClient(host.Address);

        using var refused = await local.PostCommandAsync($"hangfire/ops/actions/reprocess/{TestEnvironment.SourceName}?before=last-tuesday");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("text/plain", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("'last-tuesday' is not a date", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APageNarrowedToAnIdThatIsNotOne_SaysSo_InsteadOfShowingEverything()
    {
        await Env.WriteFilesAsync(1);
        var scan = Env.Settings();
        scan["Verb:Name"] = "scan";
        scan["Verb:Target"] = TestEnvironment.SourceName;
        Assert.Equal(0, (await WorkerHost.RunVerbAsync(Env.Root, scan)).ExitCode); // a batch and a file to list
        await using var host = await WorkerHost.StartAsync(Env.Root, Env.Settings());
        using var local = new DashboardClient(host.Address);

        foreach (var (path, said, row) in new[]
        {
            ("hangfire/ops/batches?run=abc", "run must be a whole number from 1, got 'abc'", "ops/files?batch="),
            ("hangfire/ops/files?batch=0", "batch must be a whole number from 1, got '0'", "doc-000.txt"),
        })
        {
            using var response = await local.GetAsync(path);
            var page = await response.Content.ReadAsStringAsync(Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(said, page, StringComparison.Ordinal);
            Assert.DoesNotContain(row, page, StringComparison.Ordinal); // not the whole list, as if no id were given
            Assert.Contains(row, await local.GetPageAsync(path.Split('?')[0]), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheFilesPage_SaysWhenItShowsOnlySome_AndKeepsItsFiltersInItsTitleAndSearch()
    {
        await Env.Database.ExecuteAsync(
            """
            insert into orchestrator.file_version (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state)
            select $1, 'many/f-' || i || '.txt', 1, 1, sha256(i::text::bytea), encode(sha256(i::text::bytea), 'hex'), case when i <= 3 then 'Failed' else 'Succeeded' end
            from generate_series(1, 205) i
            """,
            TestEnvironment.SourceName);
        await using var host = await WorkerHost.StartAsync(Env.Root, Env.Settings());
        using var local = new DashboardClient(host.Address);

        var all = await local.GetPageAsync("hangfire/ops/files");
        var failed = await local.GetPageAsync($"hangfire/ops/files?source={TestEnvironment.SourceName}&state=Failed");
        var bogus = await local.GetPageAsync("hangfire/ops/files?state=Bogus");

        Assert.Contains("Showing the newest 200 files; there are more.", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Showing the newest", failed, StringComparison.Ordinal);
        Assert.Contains($"Files of {TestEnvironment.SourceName}, in state Failed", failed, StringComparison.Ordinal);
        Assert.Contains("<input type=\"hidden\" name=\"state\" value=\"Failed\">", failed, StringComparison.Ordinal);
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Count(failed, @"many/f-\d+\.txt</a>"));
        Assert.Contains("&#39;Bogus&#39; is not a file state", bogus, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSourcesPage_SaysWhenItShowsOnlySomeOfTheFilesSetAside()
    {
        await Env.Database.ExecuteAsync(
            """
            insert into orchestrator.source_file_problem (source_name, relative_path, kind, reason, first_seen_at, last_seen_at)
            select $1, 'empty-' || i || '.txt', 'Empty', 'the file is empty', now(), now() - make_interval(secs => i)
            from generate_series(1, 205) i
            """,
            TestEnvironment.SourceName);
        await using var host = await WorkerHost.StartAsync(Env.Root, Env.Settings());
        using var local = new DashboardClient(host.Address);

        var page = await local.GetPageAsync("hangfire/ops/sources");

        Assert.Contains("Showing the 200 most recently seen; there are more", page, StringComparison.Ordinal);
        Assert.Equal(200, System.Text.RegularExpressions.Regex.Count(page, @"empty-\d+\.txt<"));
        Assert.DoesNotContain("empty-205.txt", page, StringComparison.Ordinal); // the one seen longest ago
    }

    [Fact]
    public async Task APasswordInsteadOfItsHash_StopsStartUp_NamingTheKey()
    {
        var settings = Env.Settings();
        settings["Dashboard:Users:0:Name"] = "ops";
        settings["Dashboard:Users:0:PasswordHash"] = "hunter2";
        settings["Dashboard:Tokens:0:Hash"] = "also-not-a-hash";

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => WorkerHost.StartAsync(Env.Root, settings));

        Assert.Contains("Dashboard:Users:0:PasswordHash: not a hash made by 'config hash-secret'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Dashboard:Tokens:0:Hash: not a hash", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    private Dictionary<string, string?> WithCredentials()
    {
        var settings = Env.Settings();
        settings["Dashboard:Users:0:Name"] = "viewer";
        settings["Dashboard:Users:0:PasswordHash"] = SecretHash.Create(ReadOnlyPassword);
        settings["Dashboard:Users:0:Role"] = "ReadOnly";
        settings["Dashboard:Tokens:0:Name"] = "automation";
        settings["Dashboard:Tokens:0:Hash"] = SecretHash.Create(OperatorToken);
        settings["Dashboard:Tokens:0:Role"] = "Operator";
        return settings;
    }

    private Task<long> RunsStartedAsync() => Env.Database.ScalarAsync<long>(
        "select count(*) from hangfire.job where invocationdata::text like '%RunSourceJob%'");
}
