using System.Text;

namespace BatchOrchestrator.Core.IntegrationTests.Resilience;

/// <summary>
/// One odd file never holds up the others (docs/architecture.md decision 15): names a header cannot carry
/// plainly, a name of 255 bytes, the two Unicode forms of one name, a file deleted or replaced between the
/// scan and its upload, a file LlamaCloud refuses, and a ".pdf" that is not one (its job fails). Each ends in exactly one terminal state with a reason;
/// every ordinary file of the same batch gets its job reference; names reach LlamaCloud as they are on disk.
/// </summary>
public sealed class BulkheadFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    private const int Ordinary = 6;
    private static readonly string LongName = new string('n', 251) + ".txt"; // 255 bytes, the longest name ext4 allows
    private static readonly string[] OddNames =
    [
        "new\nline.txt", "carriage\rreturn.txt", "tab\there.txt", "quote\"d.txt", "single'quote.txt", "back\\slash.txt",
        "caf\u00e9 nfc.txt", "cafe\u0301 nfd.txt", "résumé – 履歴書.txt", LongName,
    ];


    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(
        server,
        new Dictionary<string, string?> { ["LlamaCloud:UploadRateLimit:PermitLimit"] = "0" },
        new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(20), MaxUploadBytes = 4_000 });

    [Fact]
    public async Task OddFilesEachEndInOneTerminalStateWithAReason_AndEveryOrdinaryFileGetsItsJobReference()
    {
        Harness.WriteFiles(Ordinary);
        foreach (var (name, i) in OddNames.Select((n, i) => (n, i)))
        {
            Harness.WriteFile(name, $"odd file {i}"); // distinct content: the two forms of café are two files, not one
        }

        Harness.WriteFile("deleted-after-scan.txt", "here at the scan");
        Harness.WriteFile("replaced-after-scan.txt", "the first version");
        Harness.WriteFile("too-large.txt", new string('x', 5_000)); // over the Sandbox's upload limit: LlamaCloud refuses this one upload
        Harness.WriteFile("corrupt.pdf", "a name that promises a PDF, and text inside"); // uploaded, its parse job fails
        Assert.Equal(255, Encoding.UTF8.GetByteCount(LongName));

        var batches = await Harness.PlanAsync(Ct);
        File.Delete(Path.Combine(Harness.SourcePath, "deleted-after-scan.txt"));
        File.WriteAllText(Path.Combine(Harness.SourcePath, "replaced-after-scan.txt"), "a second, longer version written after the scan");
        foreach (var batchId in batches)
        {
            await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct); // throws if one file's failure escaped to the step
            await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        }

        await Harness.RecordAllAsync(batches, Ct);
        await Harness.FollowUpAllAsync(batches, Ct); // a job that failed fails its file

        var files = (await Harness.Database.ListAsync(
            "select relative_path, state, job_id, error_message, error_class from orchestrator.file_version",
            r => (Path: r.GetString(0), State: r.GetString(1), Job: r.IsDBNull(2) ? null : r.GetString(2), Reason: r.IsDBNull(3) ? null : r.GetString(3), Class: r.IsDBNull(4) ? null : r.GetString(4))))
            .ToDictionary(f => f.Path, StringComparer.Ordinal);
        Assert.Equal(Ordinary + OddNames.Length + 4, files.Count);
        Assert.All(files.Keys.Where(p => p.StartsWith("doc", StringComparison.Ordinal)).Concat(OddNames), path =>
        {
            Assert.Equal("Succeeded", files[path].State);
            Assert.NotNull(files[path].Job);
        });
        Assert.Equal(("Skipped", "deleted or renamed after it was scanned"), (files["deleted-after-scan.txt"].State, files["deleted-after-scan.txt"].Reason));
        Assert.Equal("Skipped", files["replaced-after-scan.txt"].State);
        Assert.StartsWith("changed after it was scanned", files["replaced-after-scan.txt"].Reason);
        Assert.Equal(("Failed", "Permanent"), (files["too-large.txt"].State, files["too-large.txt"].Class));
        Assert.StartsWith("LlamaCloud refused this upload", files["too-large.txt"].Reason);
        Assert.Equal(("Failed", "Permanent"), (files["corrupt.pdf"].State, files["corrupt.pdf"].Class));
        Assert.NotNull(files["corrupt.pdf"].Job);
        Assert.Contains("corrupt.pdf is corrupt or not a PDF", files["corrupt.pdf"].Reason, StringComparison.Ordinal);

        // The names LlamaCloud stored are the names on disk, control characters and both Unicode forms included.
        var remote = await RemoteNames.ReadAsync(Harness);
        Assert.All(OddNames, name => Assert.Equal(name, remote[name]));
        Assert.Equal(1, await Harness.Admin.CounterAsync("batch_creates_total"));

        // The replaced file's new version is taken by the next run, like any change.
        await Harness.RunToRecordedAsync(Ct);
        Assert.Equal(
            "Succeeded",
            await Harness.Database.ScalarAsync<string>(
                "select state from orchestrator.file_version where relative_path = 'replaced-after-scan.txt' order by id desc limit 1"));
    }
}
