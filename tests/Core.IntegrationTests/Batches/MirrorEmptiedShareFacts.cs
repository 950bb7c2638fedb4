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

    [Fact]
    public async Task Mirror_AFileEditedOnAShareThatThenGoes_DoesNotHoldBackTheRestOfTheMirror()
    {
        // Its new content's look has no hash, and nothing will hash it while the share is away: taken for content settling,
        // it held every other new file of the mirror back until the share returned, and nothing said so.
        var source = Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources[0];
        (source.Layout, source.GuardEmptiedSubfolders) = (RemoteLayout.Mirror, true);
        Harness.WriteFile("local.txt", "on the machine's own disk");
        var edited = Harness.WriteFile("share/a.txt", "alpha, on the share");
        await Harness.RunOneBatchToFollowedUpAsync(Ct);
        source.SettleWindow = TimeSpan.FromHours(1);
        File.WriteAllText(edited, "alpha, edited on the share just before it went");
        Assert.Empty(await Harness.PlanAsync(Ct)); // settling: the mirror waits for it, as it should while the file is there
        File.Delete(edited);
        source.SettleWindow = TimeSpan.Zero;
        Harness.WriteFile("new.txt", "a new file on the machine's own disk");

        var next = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Get<BatchUploader>().UploadAsync(next, Ct);

        Assert.Equal("EmptiedFolder", await Harness.Database.ScalarAsync<string>("select kind from orchestrator.source_file_problem where relative_path = 'share'"));
        Assert.Equal(
            ["local.txt", "new.txt"],
            await Harness.Database.ListAsync("select relative_path from orchestrator.file_version where batch_id = $1 order by 1", r => r.GetString(0), next));
    }
}
