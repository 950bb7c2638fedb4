namespace BatchOrchestrator.Core.Tests.LlamaCloud;

/// <summary>
/// Whether the HTTP stack resends a request by itself, below our retries, when a reused keep-alive connection is
/// closed after the request went out and before any byte of an answer (docs/resilience.md, "A connection closed
/// without an answer"). SocketsHttpHandler does so to cover the keep-alive race, but only for a request without a
/// body (dotnet/runtime, SocketsHttpHandler/HttpConnection.cs: <c>_canRetry</c> is set on an empty read only when
/// <c>request.Content is null</c>; HttpConnectionPool.cs then sends it again on another connection, up to 3 times).
/// Every create of ours carries a body, so the server sees it once and our code gets the ambiguous failure the
/// submit step waits out and looks behind before it creates again. These tests run the client as production wires
/// it (<see cref="ClientHost"/>) against <see cref="RawHttpServer"/>, which closes the connection on its second
/// request; they fail if a runtime ever starts resending such a create.
/// </summary>
public sealed class KeepAliveResendFacts
{
    private const string Key = "llx-test-key-0123456789";

    private static readonly Dictionary<string, (string Route, Func<IBatchApi, Task> Call)> Creates = new()
    {
        ["a v2 batch"] = ("POST /api/v2/batches", api => api.CreateBatchAsync(new("dir-1", new(new("parse_v2", "cfg-1"))), Ct)),
        ["a v1 batch-processing job"] = ("POST /api/v1/beta/batch-processing", api => api.CreateV1BatchAsync(new(V1JobConfig.Parse(), DirectoryId: "dir-1"), Ct)),
        ["a parse job"] = ("POST /api/v2/parse", api => api.CreateParseJobAsync(new("cost_effective", "latest", "file-1"), Ct)),
        ["a directory"] = ("POST /api/v1/beta/directories", api => api.CreateDirectoryAsync("run-1", Ct)),
        ["a file's upload"] = ("POST /api/v1/beta/directories/dir-1/files/upload",
            api => api.UploadFileAsync("dir-1", new(new MemoryStream(new byte[20_000]), "a.pdf", "uid-1", "a.pdf"), Ct)),
    };

    private static readonly Dictionary<string, (string Route, Func<IBatchApi, Task> Call)> WithoutBody = new()
    {
        ["a read"] = ("GET /api/v1/beta/directories?name=again", api => api.FindDirectoryByNameAsync("again", Ct)),
        ["a POST without a body (a batch's cancel)"] = ("POST /api/v2/batches/bat-1/cancel", api => api.CancelBatchAsync("bat-1", Ct)),
    };

    public static TheoryData<string> CreateCases() => new(Creates.Keys);

    public static TheoryData<string> WithoutBodyCases() => new(WithoutBody.Keys);

    [Theory]
    [MemberData(nameof(CreateCases))]
    public async Task ACreateReadWholeOnAReusedConnection_ThatIsClosedWithoutAnAnswer_ReachesTheServerOnce_AndFailsAsAmbiguous(string create)
    {
        var (route, call) = Creates[create];
        await using var server = new RawHttpServer(SecondOnFirstConnection, Answer);
        await using var client = ClientHost.Build(server.BaseAddress, Key, maxRetries: 5, RetrySettings.Fast); // the service's retry count

        await WarmAsync(client.Api());
        var error = await Record.ExceptionAsync(() => call(client.Api()));

        var sent = Assert.Single(server.Requests, r => Is(r, route));
        Assert.Equal((1, 2), (sent.Connection, sent.OnConnection)); // on the kept-alive connection, read whole
        Assert.True(sent.BodyBytes > 0);
        var failure = Assert.IsType<LlamaCloudTransientException>(error);
        Assert.Equal(HttpRequestError.ResponseEnded, Assert.IsType<HttpRequestException>(failure.InnerException).HttpRequestError);
        Assert.False(failure.TookNoEffect); // the submit step waits it out and looks before it creates again
    }

    /// <summary>The other side, which shows the server above does meet the runtime's resend: a request without a body is sent again.</summary>
    [Theory]
    [MemberData(nameof(WithoutBodyCases))]
    public async Task ARequestWithoutABody_OnAReusedConnectionClosedWithoutAnAnswer_IsSentAgainByTheRuntimeItself(string what)
    {
        var (route, call) = WithoutBody[what];
        await using var server = new RawHttpServer(SecondOnFirstConnection, Answer);
        await using var client = ClientHost.Build(server.BaseAddress, Key, maxRetries: 0, RetrySettings.Fast); // no retries of ours

        await WarmAsync(client.Api());
        await call(client.Api());

        var sent = server.Requests.Where(r => Is(r, route)).Select(r => (r.Connection, r.OnConnection));
        Assert.Equal(new[] { (1, 2), (2, 1) }, sent);
    }

    /// <summary>
    /// A connection left idle longer than the official SDK keeps one is not reused: a server that closes idle ones sooner
    /// than .NET's minute would otherwise meet our next create on a connection it is closing (docs/resilience.md, "Idle connections").
    /// </summary>
    [Fact]
    public async Task AConnectionIdleLongerThanTheOfficialClientKeepsOne_IsNotReused_WhileABusyOneIs()
    {
        await using var server = new RawHttpServer(_ => RawHttpServer.Reply.Answer, Answer);
        await using var client = ClientHost.Build(server.BaseAddress, Key, maxRetries: 0, RetrySettings.Fast);

        await WarmAsync(client.Api());
        await WarmAsync(client.Api());
        await Task.Delay(LlamaCloudApis.IdleConnectionTimeout + TimeSpan.FromSeconds(1), Ct); // the idleness under test, not a wait for another party
        await WarmAsync(client.Api());

        Assert.Equal(new[] { (1, 1), (1, 2), (2, 1) }, server.Requests.Select(r => (r.Connection, r.OnConnection)));
    }

    private static RawHttpServer.Reply SecondOnFirstConnection(RawHttpServer.Received request) =>
        request is { Connection: 1, OnConnection: 2 } ? RawHttpServer.Reply.Close : RawHttpServer.Reply.Answer;

    private static async Task WarmAsync(IBatchApi api)
    {
        Assert.Null(await api.FindDirectoryByNameAsync("warm", Ct)); // answered: the connection goes back to the pool
    }

    private static bool Is(RawHttpServer.Received request, string route) =>
        route.Contains('?', StringComparison.Ordinal) ? $"{request.Method} {request.Target}" == route : $"{request.Method} {request.Target.Split('?')[0]}" == route;

    private static string Answer(RawHttpServer.Received request) => request.Target.Contains("/cancel", StringComparison.Ordinal)
        ? """{"id":"bat-1","config":{"job":{"type":"parse_v2","configuration_id":"cfg-1"}},"project_id":"prj-1","source_directory_id":"dir-1","status":"cancelled"}"""
        : """{"items":[],"next_page_token":null}""";
}
