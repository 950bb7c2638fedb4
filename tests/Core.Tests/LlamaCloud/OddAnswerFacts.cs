using BatchOrchestrator.Core.Batches;

namespace BatchOrchestrator.Core.Tests.LlamaCloud;

/// <summary>
/// A 2xx answer the SDK's types would not produce (a gateway's <c>{}</c>, a status left out, a charset .NET cannot decode)
/// is read as what it says or fails as a request that may pass later: never a crash inside the step that sent it, which
/// escaped every step's handling of a failed request (one batch's answer stopped the poll tick of every batch).
/// </summary>
public sealed class OddAnswerFacts
{
    [Fact]
    public async Task AListAnsweredWithoutItems_IsATransientFailure_NotAnEmptyList()
    {
        // Such a list is the look before an upload or a create: read as empty, the file or batch would be sent again.
        using var services = Answering("{}", "application/json");

        var failure = await Assert.ThrowsAsync<LlamaCloudTransientException>(() => services.Api().FindFileByUniqueIdAsync("dir-1", "fv-1", Ct));

        Assert.Contains("answered without 'items'", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABatchAnsweredWithoutItsStatus_IsStillRunning_ForPollingToGoOn()
    {
        using var services = Answering("""{"id":"bat-1"}""", "application/json");

        var batch = await services.Api().GetBatchAsync("bat-1", expandResults: false, Ct);

        Assert.Equal(BatchState.Running, RemoteBatchStatus.ToState(batch.Status));
        Assert.Equal(BatchState.Running, RemoteBatchStatus.FromV1(null));
    }

    [Fact]
    public async Task ABodyInACharsetThatCannotBeDecoded_IsATransientFailure()
    {
        using var services = Answering("""{"id":"bat-1","status":"RUNNING"}""", "application/json; charset=no-such-charset");

        var failure = await Assert.ThrowsAsync<LlamaCloudTransientException>(() => services.Api().GetBatchAsync("bat-1", expandResults: false, Ct));

        Assert.Contains("cannot be read", failure.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Answering(string body, string contentType) => ClientHost.Build(
        new Uri("https://api.example.test/"),
        "llx-test",
        configure: s => s.AddHttpClient(LlamaCloudApis.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new FixedAnswer(body, contentType)));

    private sealed class FixedAnswer(string body, string contentType) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }
}
