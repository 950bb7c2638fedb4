namespace BatchOrchestrator.Core.IntegrationTests.FollowUp;

/// <summary>
/// A file's error as LlamaCloud reports it in an answer that succeeded (a parse job's, a v1 item's), quoting secrets
/// the requests carried: the API key and a gateway's token in the webhook's query. The file version keeps it, and the
/// log says it, without them, as an error body's text is kept (docs/architecture.md, "Secrets").
/// </summary>
public sealed class ReportedErrorSecretFacts(PostgresServerFixture server)
{
    private const string Token = "GWCANARY-71d9e3a5c2";

    [Theory]
    [InlineData("parse_v2")] // the parse job's error_message, read when its result is looked for
    [InlineData("v1_parse")] // the v1 item's error_message, read with the job's items
    public async Task AFilesReportedError_QuotingTheApiKeyAndTheWebhooksToken_IsStoredAndLoggedWithoutThem(string jobType)
    {
        var reported = $"fetch refused: 'Authorization: Bearer {PipelineHarness.ApiKey}' for http://127.0.0.1:9/webhooks/llamacloud?code={Token}";
        await using var harness = await PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?>
            {
                ["Sources:0:JobType"] = jobType,
                ["Webhooks:PublicUrl"] = $"http://127.0.0.1:9/webhooks/llamacloud?code={Token}",
                ["Webhooks:SigningSecret"] = "whsec-reported-error-facts",
            },
            new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(20), Faults = { FailFilesMatching = "^bad", FileFailureMessage = reported } });
        harness.WriteFile("bad.txt", "this one's job fails");
        harness.WriteFiles(1);

        var batches = await harness.RunToRecordedAsync(Ct);
        await harness.FollowUpAllAsync(batches, Ct);

        var error = await harness.Database.ScalarAsync<string>("select error_message from orchestrator.file_version where relative_path = 'bad.txt' and state = 'Failed'");
        Assert.Contains("fetch refused: 'Authorization: Bearer (left out)' for http://127.0.0.1:9/webhooks/llamacloud?code=(left out)", error, StringComparison.Ordinal);
        Assert.DoesNotContain(harness.Logs.Lines, l => l.Contains(PipelineHarness.ApiKey, StringComparison.Ordinal) || l.Contains(Token, StringComparison.Ordinal));
        Assert.Equal(0L, await harness.Database.ScalarAsync<long>(
            "select count(*) from orchestrator.file_version v where strpos(v::text, $1) > 0 or strpos(v::text, $2) > 0", PipelineHarness.ApiKey, Token));
    }
}
