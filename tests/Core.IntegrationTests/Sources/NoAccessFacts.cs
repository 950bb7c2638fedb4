using System.Diagnostics;

namespace BatchOrchestrator.Core.IntegrationTests.Sources;

/// <summary>
/// Files and folders the service user may not read. A folder it may list but not enter (mode r without x, a share's odd
/// ACL) shows its names, yet every look at a file in it fails, and .NET reads each as zero bytes. Root reads and enters
/// everything, so these facts need another user (CI runs as root: run them as another user to see them).
/// </summary>
public sealed class NoAccessFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task AFileTheServiceMayNotRead_IsSetAsideSayingWhatToDo_AndTakenOnceItMay()
    {
        Assert.SkipWhen(Environment.UserName == "root", "root reads every file; run as another user to see this");
        Harness.WriteFile("ok.txt", "fine");
        var path = Harness.WriteFile("secret.txt", "not for the service yet");
        Shell($"chmod 000 '{path}'");
        var source = Harness.Get<IOptions<SourcesOptions>>().Value.Sources[0];

        var closed = await Harness.Get<SourceScanner>().ScanAsync(source, Ct);

        Assert.Equal((1, 1), (closed.NewVersions, closed.Problems));
        Assert.Equal(
            [("secret.txt", "Unreadable", $"cannot be read (Access to the path '{path}' is denied.); give the service read access: the next scan takes it")],
            await Harness.Database.ListAsync("select relative_path, kind, reason from orchestrator.source_file_problem", r => (r.GetString(0), r.GetString(1), r.GetString(2))));
        Shell($"chmod 644 '{path}'"); // a mode change leaves size and mtime as they were
        var open = await Harness.Get<SourceScanner>().ScanAsync(source, Ct);
        Assert.Equal((1, 0), (open.NewVersions, open.Problems));
    }

    [Fact]
    public async Task AFolderThatCanBeListedButNotEntered_IsSetAsideWithAReason_AndWhatWasKnownInItIsKeptAsItWas()
    {
        Assert.SkipWhen(Environment.UserName == "root", "root enters every folder; run as another user to see this");
        Assert.SkipUnless(OperatingSystem.IsLinux(), "statx tells an entry not looked at from an empty file; Linux only");
        Harness.WriteFile("ok.txt", "fine");
        Harness.WriteFile("shared/report.txt", "known before its folder was closed");
        var source = Harness.Get<IOptions<SourcesOptions>>().Value.Sources[0];
        Assert.Equal(2, (await Harness.Get<SourceScanner>().ScanAsync(source, Ct)).NewVersions);
        var folder = Path.Combine(Harness.SourcePath, "shared");
        Shell($"chmod 644 '{folder}'");

        try
        {
            var closed = await Harness.Get<SourceScanner>().ScanAsync(source, Ct);

            Assert.Equal((0, 0, 1), (closed.NewOrChanged, closed.Vanished, closed.Problems));
            Assert.Equal(
                [("shared", "UnreadableFolder", "the folder can be listed but not entered (no search permission, x); what was known under it is kept")],
                await Harness.Database.ListAsync("select relative_path, kind, reason from orchestrator.source_file_problem", r => (r.GetString(0), r.GetString(1), r.GetString(2))));
            Assert.Equal(
                "known before its folder was closed".Length,
                await Harness.Database.ScalarAsync<long>("select size from orchestrator.source_file where relative_path = 'shared/report.txt'"));
        }
        finally
        {
            Shell($"chmod 755 '{folder}'");
        }

        var open = await Harness.Get<SourceScanner>().ScanAsync(source, Ct);
        Assert.Equal((2, 0, 0), (open.Seen, open.NewOrChanged, open.Problems));
    }

    private static void Shell(string script)
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", script]) { RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, process.StandardError.ReadToEnd());
    }
}
