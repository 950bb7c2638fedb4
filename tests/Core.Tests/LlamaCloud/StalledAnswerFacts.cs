namespace BatchOrchestrator.Core.Tests.LlamaCloud;

/// <summary>
/// An answer whose headers arrive and whose body then stops (a peer gone silent mid-answer: no more bytes and no
/// close) is held to <c>LlamaCloud:AttemptTimeout</c> as an answer that never came, through the client as production
/// wires it (<see cref="ClientHost"/>) against <see cref="RawHttpServer"/>.
/// </summary>
public sealed class StalledAnswerFacts
{
    private const string Key = "llx-test-key-0123456789";

    // Far above the attempts' timeouts below: only a call that would otherwise wait for ever meets it.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static readonly Dictionary<string, string?> Impatient = new(RetrySettings.Fast)
    {
        ["LlamaCloud:AttemptTimeout"] = "00:00:00.5",
        ["LlamaCloud:MaxInProcessRetryWait"] = "00:00:00.2",
    };

    [Fact]
    public async Task AReadWhoseAnswerStallsMidBody_TimesOut_AndIsTriedAgain()
    {
        await using var server = new RawHttpServer(_ => RawHttpServer.Reply.StallBody, _ => """{"items":[],"next_page_token":null}""");
        await using var client = ClientHost.Build(server.BaseAddress, Key, maxRetries: 1, Impatient);

        var error = await Assert.ThrowsAsync<LlamaCloudTransientException>(() => client.Api().FindDirectoryByNameAsync("slow", Ct).WaitAsync(Bound, Ct));

        Assert.Contains("no answer within", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task ACreateWhoseAnswerStallsMidBody_TimesOut_IsSentOnce_AndFailsAsAmbiguous()
    {
        await using var server = new RawHttpServer(_ => RawHttpServer.Reply.StallBody, _ => """{"id":"dir-1","name":"run-1","project_id":"prj-1"}""");
        await using var client = ClientHost.Build(server.BaseAddress, Key, maxRetries: 5, Impatient);

        var error = await Assert.ThrowsAsync<LlamaCloudTransientException>(() => client.Api().CreateDirectoryAsync("run-1", Ct).WaitAsync(Bound, Ct));

        Assert.Contains("no answer within", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
        Assert.False(error.TookNoEffect); // looked for before it is made again
    }
}
