namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// Where no source says which status LlamaCloud answers (a duplicate directory name, a batch over the file
/// limit, cancelling a finished batch), the client does the right thing whichever of 400, 409 or 422 it gets.
/// </summary>
public sealed class UndocumentedRefusalFacts(PostgresServerFixture server)
{
    [Theory]
    [InlineData(400)]
    [InlineData(409)]
    [InlineData(422)]
    public async Task UploadAsync_AdoptsTheDirectoryByName_WhenItsCreateIsRefusedAsADuplicate(int code)
    {
        var blind = new BlindFirstLookup();
        await using var harness = await PipelineHarness.CreateAsync(
            server, sandboxOptions: Sandbox(o => o.Guesses.DuplicateDirectoryStatus = code), services: s => s.AddSingleton<IBatchApis>(sp => blind.Wrap(sp)));
        harness.WriteFiles(2);
        var batchId = await harness.PlanOneBatchAsync(Ct);
        var name = await harness.Database.ScalarAsync<string>("select directory_name from orchestrator.batch where id = $1", batchId);
        var made = await harness.Get<IBatchApis>().For(ProjectScope.Default).CreateDirectoryAsync(name, Ct); // another attempt got there first

        await harness.Get<BatchUploader>().UploadAsync(batchId, Ct);

        Assert.Equal(made.Id, await harness.Database.ScalarAsync<string>("select remote_directory_id from orchestrator.batch where id = $1", batchId));
        Assert.Equal(2L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Uploaded'"));
        Assert.Equal(1L, (await harness.Admin.MapAsync("responses_by_status")).GetValueOrDefault(code.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(409)]
    [InlineData(422)]
    public async Task SubmitAsync_EndsTheBatchWithTheReason_WhenLlamaCloudRefusesItsSize_AndNeverSendsItAgain(int code)
    {
        // The service's limit is lower here than the one we split at, so the refusal really comes.
        await using var harness = await PipelineHarness.CreateAsync(server, sandboxOptions: Sandbox(o =>
        {
            o.MaxBatchFiles = 2;
            o.Guesses.TooManyBatchFilesStatus = code;
        }));
        harness.WriteFiles(3);

        var batches = await harness.SubmitAllAsync(Ct);
        await harness.Get<BatchSubmitter>().SubmitAsync(batches.Single(), Ct); // a second hand-out does nothing

        var (state, error) = (await harness.Database.ListAsync("select state, last_error from orchestrator.batch", r => (r.GetString(0), r.GetString(1)))).Single();
        Assert.Equal("ResultsRecorded", state);
        Assert.Contains("LlamaCloud refused to create the batch", error, StringComparison.Ordinal);
        Assert.Equal(3L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Failed' and error_class = 'Permanent' and error_message like '%refused%'"));
        Assert.Equal("Completed", await harness.Database.ScalarAsync<string>("select state from orchestrator.run"));
        Assert.Equal(0L, await harness.Admin.CounterAsync("batch_creates_total"));
        Assert.Equal(1L, await harness.Admin.CounterAsync("requests_by_route", "POST /api/v2/batches"));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(409)]
    [InlineData(422)]
    public async Task CancelBatchAsync_AnswersAlreadyEnded_WhenLlamaCloudRefusesTheCancelOfABatchItFinished(int code)
    {
        await using var harness = await PipelineHarness.CreateAsync(server, sandboxOptions: Sandbox(o => o.Guesses.CancelTerminalStatus = code));
        harness.WriteFiles(2);
        var batches = await harness.SubmitAllAsync(Ct);
        var remoteId = await harness.Database.ScalarAsync<string>("select remote_batch_id from orchestrator.batch");
        var api = harness.Get<IBatchApis>().For(ProjectScope.Default);
        await Eventually.WaitAsync(async () => (await api.GetBatchAsync(remoteId, false, Ct)).Status, s => s == "COMPLETED", TimeSpan.FromSeconds(20), "the batch to finish remotely");

        var outcome = await harness.Get<OperatorCommands>().CancelBatchAsync(batches.Single(), Ct); // our row still says it runs
        await harness.RecordAllAsync(batches, Ct);

        // The cancel changed nothing, and the answer says so; the batch shows no cancel request.
        Assert.Equal(CancelOutcome.AlreadyEnded, outcome);
        Assert.Equal(0L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch where cancel_requested_at is not null"));
        Assert.True((await harness.Admin.MapAsync("responses_by_status")).GetValueOrDefault(code.ToString(System.Globalization.CultureInfo.InvariantCulture)) >= 1); // 409 is retried, as the SDK retries it
        Assert.Equal("Completed", await harness.Database.ScalarAsync<string>("select remote_status from orchestrator.batch"));
        Assert.Equal(2L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"));
    }

    private static SandboxOptions Sandbox(Action<SandboxOptions> configure)
    {
        var options = new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(20) };
        configure(options);
        return options;
    }

    /// <summary>The API as production builds it, whose first look for a directory by name finds nothing: the race a create then loses.</summary>
    public sealed class BlindFirstLookup
    {
        private int looked;

        internal IBatchApis Wrap(IServiceProvider services) => new Apis(ActivatorUtilities.CreateInstance<LlamaCloudApis>(services), this);

        private sealed class Apis(IBatchApis inner, BlindFirstLookup owner) : IBatchApis
        {
            public IBatchApi For(ProjectScope scope) => DispatchProxyApi.Create(inner.For(scope), owner);
        }

        public class DispatchProxyApi : System.Reflection.DispatchProxy
        {
            private IBatchApi target = null!;
            private BlindFirstLookup owner = null!;

            internal static IBatchApi Create(IBatchApi target, BlindFirstLookup owner)
            {
                var proxy = Create<IBatchApi, DispatchProxyApi>();
                ((DispatchProxyApi)(object)proxy).target = target;
                ((DispatchProxyApi)(object)proxy).owner = owner;
                return proxy;
            }

            protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args) =>
                targetMethod!.Name == nameof(IBatchApi.FindDirectoryByNameAsync) && Interlocked.Exchange(ref owner.looked, 1) == 0
                    ? Task.FromResult<RemoteDirectory?>(null)
                    : targetMethod.Invoke(target, args);
        }
    }
}
