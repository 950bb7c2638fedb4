using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// A copy LlamaCloud stored after its upload's answer was lost, once its file had been taken back (the look by unique_id
/// found nothing yet), is in no version's record: a batch created over the directory would parse and bill it, and the file's
/// next version is billed again in a later batch. The submit step removes such copies before it creates the batch.
/// </summary>
public sealed class StrayCopyFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task ACopyStoredAfterItsFileWasTakenBack_IsNotParsedWithThePerRunBatch()
    {
        Harness.WriteFile("a.txt", "first");
        Harness.WriteFile("b.txt", "second");
        Harness.WriteFile("late.txt", "third");
        var batch = await Harness.PlanOneBatchAsync(Ct);
        Harness.WriteFile("late.txt", "third, and still being written"); // ends Skipped at upload: its next version goes in a later batch
        await Harness.Get<BatchUploader>().UploadAsync(batch, Ct);
        var (directory, uniqueId) = (await Harness.Database.ListAsync(
            "select b.remote_directory_id, v.unique_id from orchestrator.batch b join orchestrator.file_version v on v.batch_id = b.id where b.id = $1 and v.relative_path = 'late.txt'",
            r => (r.GetString(0), r.GetString(1)), batch)).Single();
        await using (var late = new MemoryStream("third"u8.ToArray()))
        {
            // What an earlier attempt sent of it, stored by LlamaCloud only now.
            await Harness.Get<IBatchApis>().For(ProjectScope.Default).UploadFileAsync(directory, new FileUpload(late, "late.txt", uniqueId, "late.txt"), Ct);
        }

        var jobsBefore = await JobsCreatedAsync();
        await Harness.Get<BatchSubmitter>().SubmitAsync(batch, Ct);
        await Harness.RecordAllAsync([batch], Ct);

        var copies = await Harness.Get<IBatchApis>().For(ProjectScope.Default).ListDirectoryFilesAsync(directory, Ct);
        Assert.Equal(["a.txt", "b.txt"], copies.Select(c => c.DisplayName).Order(StringComparer.Ordinal));
        Assert.Equal(2, await JobsCreatedAsync() - jobsBefore);
        Assert.Equal(["Succeeded", "Succeeded", "Skipped"], await Harness.Database.ListAsync("select state from orchestrator.file_version order by relative_path", r => r.GetString(0)));
        Assert.Single(Harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("removed the copies no file version holds (1: late.txt)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AStrayCopyLlamaCloudRefusesToRemove_IsSaidAndBilled_AndTheBatchGoesOn()
    {
        // The refusal is the delete's, not the create's: read as the create's, it ended the batch and left its files for a person.
        await using var harness = await PipelineHarness.CreateAsync(Server, services: s => s.AddSingleton<IBatchApis>(sp => RefusedDeletes.Wrap(sp)));
        harness.WriteFile("a.txt", "first");
        var batch = await harness.PlanOneBatchAsync(Ct);
        await harness.Get<BatchUploader>().UploadAsync(batch, Ct);
        var directory = await harness.Database.ScalarAsync<string>("select remote_directory_id from orchestrator.batch where id = $1", batch);
        await using (var late = new MemoryStream("by hand"u8.ToArray()))
        {
            await harness.Get<IBatchApis>().For(ProjectScope.Default).UploadFileAsync(directory, new FileUpload(late, "by-hand.txt", "by-hand", "by-hand.txt"), Ct);
        }

        await harness.Get<BatchSubmitter>().SubmitAsync(batch, Ct);

        Assert.NotNull(await harness.Database.ScalarAsync<string?>("select remote_batch_id from orchestrator.batch where id = $1", batch));
        Assert.Equal(0L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Failed'"));
        var warning = Assert.Single(harness.Logs.Lines, l => l.Contains("LlamaCloud refused to remove by-hand.txt", StringComparison.Ordinal));
        Assert.StartsWith("Warning", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(harness.Logs.Lines, l => l.Contains("removed the copies no file version holds", StringComparison.Ordinal)); // none was
    }

    private async Task<long> JobsCreatedAsync() =>
        await Harness.Admin.CounterAsync("parse_jobs_created_total") + await Harness.Admin.CounterAsync("extract_jobs_created_total");

    /// <summary>The API as production builds it, whose deletes of directory files LlamaCloud refuses (409).</summary>
    public static class RefusedDeletes
    {
        internal static IBatchApis Wrap(IServiceProvider services) => new Apis(ActivatorUtilities.CreateInstance<LlamaCloudApis>(services));

        private sealed class Apis(IBatchApis inner) : IBatchApis
        {
            public IBatchApi For(ProjectScope scope) => Proxy.Create(inner.For(scope));
        }

        public class Proxy : System.Reflection.DispatchProxy
        {
            private IBatchApi target = null!;

            internal static IBatchApi Create(IBatchApi target)
            {
                var proxy = Create<IBatchApi, Proxy>();
                ((Proxy)(object)proxy).target = target;
                return proxy;
            }

            protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args) =>
                targetMethod!.Name == nameof(IBatchApi.DeleteDirectoryFileAsync)
                    ? Task.FromException<bool>(new LlamaCloudRejectedException("DELETE refused", System.Net.HttpStatusCode.Conflict, "the file is locked"))
                    : targetMethod.Invoke(target, args);
        }
    }
}
