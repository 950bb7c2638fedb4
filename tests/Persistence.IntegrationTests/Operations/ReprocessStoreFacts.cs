using BatchOrchestrator.Persistence.Operations;
using BatchOrchestrator.Persistence.IntegrationTests.Monitoring;

namespace BatchOrchestrator.Persistence.IntegrationTests.Operations;

/// <summary>Files processed under an older configuration: found by their batch's fingerprint, sent again only when they can be.</summary>
public sealed class ReprocessStoreFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    private const string Source = "docs";
    private const string Current = "parse_v2 cfg-PARSE_FAST";

    private NpgsqlReprocessStore Store => new(Database.DataSource);

    [Theory]
    [InlineData("parse_v2", "cfg-PARSE_AGENTIC", null, "parse_v2 cfg-PARSE_AGENTIC")]
    [InlineData("extract_v2", "cfg-1234", null, "extract_v2 cfg-1234")]
    [InlineData("v1_parse", "cfg-PARSE_AGENTIC", null, "v1_parse")] // no tier: the service's default
    [InlineData("v1_parse", "cfg-PARSE_AGENTIC", "fast", "v1_parse fast")]
    [InlineData("v1_parse", "cfg-PARSE_AGENTIC", "agentic_plus", "v1_parse agentic_plus")]
    [InlineData("v1_classify", "cfg-ignored", null, "v1_classify")]
    public async Task TheBatchRowsFingerprint_IsCoresFingerprintOfTheSameSettings(string jobType, string configurationId, string? v1ParseTier, string expected)
    {
        var run = await OpsSeed.RunAsync(Database, Source);
        var batch = await OpsSeed.BatchAsync(Database, run, Source, configurationId, jobType, v1ParseTier: v1ParseTier);

        var stored = await Database.ScalarAsync<string>("select configuration_fingerprint from orchestrator.batch where id = $1", batch);

        Assert.Equal(ConfigurationFingerprint.Of(jobType, configurationId, v1ParseTier), stored);
        Assert.Equal(expected, stored);
    }

    [Fact]
    public async Task Candidates_AreSucceededVersionsOfOtherFingerprints_SendableOnlyWhenTheFileIsThereAndNoFollowUpWaits()
    {
        var run = await OpsSeed.RunAsync(Database, Source);
        var old = await OpsSeed.BatchAsync(Database, run, Source, "cfg-PARSE_AGENTIC");
        var current = await OpsSeed.BatchAsync(Database, run, Source, "cfg-PARSE_FAST");
        var present = await OpsSeed.FileAsync(Database, old, Source, "a/present.pdf");
        var gone = await OpsSeed.FileAsync(Database, old, Source, "a/gone.pdf", onDisk: false);
        var waiting = await OpsSeed.FileAsync(Database, old, Source, "b/waiting.pdf", followUp: "Recorded");
        await OpsSeed.FileAsync(Database, old, Source, "b/failed.pdf", outcome: "Failed");
        await OpsSeed.FileAsync(Database, current, Source, "c/current.pdf");

        var candidates = new List<Core.Operations.ReprocessCandidate>();
        await foreach (var candidate in Store.CandidatesAsync(Source, Current, Ct))
        {
            candidates.Add(candidate);
        }

        Assert.Equal([present, gone, waiting], candidates.Select(c => c.FileVersionId));
        Assert.All(candidates, c => Assert.Equal("parse_v2 cfg-PARSE_AGENTIC", c.Fingerprint));
        Assert.Equal([true, false, false], candidates.Select(c => c.Sendable));
    }

    [Fact]
    public async Task Requeue_PutsOnlySendableOldVersionsBack_WithTheFilesCurrentStamp_AndKeepsTheirHistory()
    {
        var run = await OpsSeed.RunAsync(Database, Source);
        var old = await OpsSeed.BatchAsync(Database, run, Source, "cfg-PARSE_AGENTIC");
        var current = await OpsSeed.BatchAsync(Database, run, Source, "cfg-PARSE_FAST");
        var present = await OpsSeed.FileAsync(Database, old, Source, "present.pdf");
        var gone = await OpsSeed.FileAsync(Database, old, Source, "gone.pdf", onDisk: false);
        var upToDate = await OpsSeed.FileAsync(Database, current, Source, "current.pdf");

        var queued = await Store.RequeueAsync([present, gone, upToDate], Current, Ct);

        Assert.Equal(1, queued);
        var row = (await Database.ListAsync(
            "select state, batch_id is null, job_id is null, mtime_ticks, process_attempts from orchestrator.file_version where id = $1",
            r => (r.GetString(0), r.GetBoolean(1), r.GetBoolean(2), r.GetInt64(3), r.GetInt32(4)), present))[0];
        Assert.Equal(("Discovered", true, true, 2000L, 0), row);
        Assert.Equal("Succeeded", await Database.ScalarAsync<string>("select state from orchestrator.file_version where id = $1", gone));
        Assert.Equal("Succeeded", await Database.ScalarAsync<string>("select state from orchestrator.file_version where id = $1", upToDate));
        Assert.Equal(1L, await Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where file_version_id = $1 and job_id is not null", present));
        Assert.Equal(0, await Store.RequeueAsync([present], Current, Ct)); // no longer Succeeded: nothing twice
    }

    [Fact]
    public async Task Requeue_LeavesAVersionWhoseStateChangedWhileItWaitedForTheRow()
    {
        // Read Succeeded, then waited on the row while another transaction ended it Failed (a late verdict): it stays so.
        var run = await OpsSeed.RunAsync(Database, Source);
        var old = await OpsSeed.BatchAsync(Database, run, Source, "cfg-PARSE_AGENTIC");
        var file = await OpsSeed.FileAsync(Database, old, Source, "present.pdf");
        await using var verdict = await Database.DataSource.OpenConnectionAsync(Ct);
        await using var failing = await verdict.BeginTransactionAsync(Ct);
        await using (var fail = new NpgsqlCommand("update orchestrator.file_version set state = 'Failed' where id = $1", verdict, failing))
        {
            fail.Parameters.Add(new NpgsqlParameter<long> { TypedValue = file });
            await fail.ExecuteNonQueryAsync(Ct);
        }

        var requeue = Store.RequeueAsync([file], Current, Ct);
        await WaitUntilABackendWaitsOnALockAsync();
        await failing.CommitAsync(Ct);

        Assert.Equal(0, await requeue);
        Assert.Equal("Failed", await Database.ScalarAsync<string>("select state from orchestrator.file_version where id = $1", file));
    }
}
