namespace BatchOrchestrator.Worker.IntegrationTests.Dashboard;

/// <summary>
/// The keys that sign the dashboard's antiforgery tokens live in the database (docs/operations.md, "Dashboard keys"):
/// a page opened before a restart, or served by another instance on the same database, can still act.
/// </summary>
public sealed partial class DashboardKeyFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    [Fact]
    public async Task APageServedByOneInstance_CanActOnAnother_InstalledElsewhere_ThroughTheKeysInTheDatabase()
    {
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false });
        string header, token;
        await using (var first = await WorkerHost.StartAsync(Env.Root, Env.Settings()))
        {
            var page = await browser.GetStringAsync(new Uri(first.Address, "hangfire/ops/sources"), Ct);
            header = WebUtility.HtmlDecode(CsrfHeader().Match(page).Groups[1].Value);
            token = WebUtility.HtmlDecode(CsrfToken().Match(page).Groups[1].Value);
            Assert.NotEmpty(token);
        }

        // Another install folder (its own content root), as a second machine's or a new container's would be.
        var elsewhere = Directory.CreateDirectory(Path.Combine(Env.Root, "elsewhere")).FullName;
        Directory.CreateDirectory(Path.Combine(elsewhere, "inbox"));
        await using var second = await WorkerHost.StartAsync(elsewhere, Env.Settings());
        using var run = new HttpRequestMessage(HttpMethod.Post, new Uri(second.Address, $"hangfire/ops/actions/run/{TestEnvironment.SourceName}"))
        {
            Content = new FormUrlEncodedContent([]),
        };
        run.Headers.Add(header, token);
        using var answer = await browser.SendAsync(run, Ct);

        Assert.True(answer.IsSuccessStatusCode, $"the token of the first instance's page was refused: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync(Ct)}");
        Assert.True(await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.data_protection_key") >= 1);
    }

    [GeneratedRegex("<meta name=\"csrf-header\" content=\"([^\"]+)\"")]
    private static partial Regex CsrfHeader();

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\"")]
    private static partial Regex CsrfToken();
}
