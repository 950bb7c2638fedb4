using BatchOrchestrator.Core.Planning;

namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// A share mounted at a subfolder of a mirror's folder, found empty (not mounted for a night): taken as deleted, its copies
/// would be removed from the mirror and, once the share is back, uploaded again, and the whole directory parsed and billed
/// again by a batch that nothing else asked for. A source with shares below its folder guards its emptied subfolders.
/// </summary>
public sealed class MirrorEmptiedShareFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task Mirror_ASubfolderFoundEmpty_KeepsItsCopies_AndItsReturnCostsNothing()
    {
        var source = Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources[0];
        (source.Layout, source.GuardEmptiedSubfolders) = (RemoteLayout.Mirror, true);
        Harness.WriteFile("local.txt", "on the machine's own disk");
        Harness.WriteFile("share/a.txt", "alpha, on the share");
        Harness.WriteFile("share/deep/b.txt", "beta, on the share");
        var first = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Get<BatchUploader>().UploadAsync(first, Ct);
        await Harness.Get<BatchSubmitter>().SubmitAsync(first, Ct);
        await Harness.RecordAllAsync([first], Ct);
        var shared = Directory.EnumerateFiles(Path.Combine(Harness.SourcePath, "share"), "*", SearchOption.AllDirectories)
            .ToDictionary(p => p, p => (File.ReadAllBytes(p), File.GetLastWriteTimeUtc(p)));
        var charges = await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.credit_charge");

        Directory.Delete(Path.Combine(Harness.SourcePath, "share"), recursive: true);
        Directory.CreateDirectory(Path.Combine(Harness.SourcePath, "share"));
        var preview = await Harness.Get<PlanPreview>().PreviewAsync(source, Ct);
        Assert.Equal((0m, 0), (preview.Credits, preview.Batches));
        Assert.Empty(await Harness.PlanAsync(Ct));

        foreach (var (path, (content, mtime)) in shared)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, content);
            File.SetLastWriteTimeUtc(path, mtime);
        }

        Assert.Empty(await Harness.PlanAsync(Ct));
        Assert.Equal(0, await Harness.Admin.CounterAsync("directory_file_deletes_total"));
        Assert.Equal(3, (await Harness.Admin.CountersAsync()).UploadsTotal);
        Assert.Equal(charges, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.credit_charge"));
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.source_file where deleted_at is not null"));
    }
}
