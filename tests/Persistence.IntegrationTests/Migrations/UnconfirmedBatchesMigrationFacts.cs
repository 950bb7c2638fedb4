using BatchOrchestrator.Persistence.IntegrationTests.Monitoring;
using BatchOrchestrator.Persistence.Migrations;

namespace BatchOrchestrator.Persistence.IntegrationTests.Migrations;

/// <summary>
/// The files of a batch whose submit step could not check whether LlamaCloud made it failed as Permanent before they had
/// a class of their own; the migration that gave them one finds them by the reason that step wrote, and only them.
/// </summary>
public sealed class UnconfirmedBatchesMigrationFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    [Fact]
    public async Task EarlierFailures_OfABatchThatMayExist_BecomeUnconfirmed_WhileAPermanentFailureStaysPermanent()
    {
        var batch = await OpsSeed.BatchAsync(Database, await OpsSeed.RunAsync(Database, "docs"), "docs", state: "Failed");
        var reasons = new Dictionary<string, string>
        {
            ["given-up.pdf"] = "the submit step failed 8 times, and whether an earlier attempt created its batch could not be checked (500 Internal Server Error); "
                + "look for a batch over directory bo-7 before retrying these files with --permanent",
            ["cancelled.pdf"] = "it was cancelled by an operator, but the submit step failed 8 times to check whether an earlier attempt created its batch (500 Internal Server Error); "
                + "look for a batch over directory bo-7 and cancel it there before retrying these files with --permanent",
            ["corrupt.pdf"] = "LlamaCloud refused this upload: the file is corrupt; fix it, then retry it with --permanent",
        };
        foreach (var (path, reason) in reasons)
        {
            var id = await OpsSeed.FileAsync(Database, batch, "docs", path, outcome: "Failed", errorClass: "Permanent");
            await Database.ExecuteAsync("update orchestrator.file_version set error_message = $1, updated_at = '2026-11-01T00:00:00Z' where id = $2", reason, id);
        }

        await Database.ExecuteAsync("update orchestrator.batch set last_error = $1 where id = $2", reasons["given-up.pdf"], batch);

        await Database.ExecuteAsync(Migrator.Embedded.Single(m => m.Name.Contains("unconfirmed_batches", StringComparison.Ordinal)).Sql);

        var after = (await Database.ListAsync(
                "select relative_path, error_class, error_message from orchestrator.file_version", r => (r.GetString(0), (r.GetString(1), r.GetString(2)))))
            .ToDictionary(r => r.Item1, r => r.Item2);
        Assert.Equal("Unconfirmed", after["given-up.pdf"].Item1);
        Assert.EndsWith($"before retrying these files with --unconfirmed {batch}", after["given-up.pdf"].Item2, StringComparison.Ordinal);
        Assert.Equal("Unconfirmed", after["cancelled.pdf"].Item1);
        Assert.EndsWith($"and cancel it there before retrying these files with --unconfirmed {batch}", after["cancelled.pdf"].Item2, StringComparison.Ordinal);
        Assert.Equal(("Permanent", reasons["corrupt.pdf"]), after["corrupt.pdf"]);
        Assert.EndsWith($"--unconfirmed {batch}", await Database.ScalarAsync<string>("select last_error from orchestrator.batch where id = $1", batch), StringComparison.Ordinal);
        Assert.Equal(3L, await Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where updated_at = '2026-11-01T00:00:00Z'"));
    }
}
