using System.Diagnostics;

namespace BatchOrchestrator.Core.IntegrationTests.Sources;

/// <summary>
/// Every odd file on a real folder gets a recorded reason (orchestrator.source_file_problem) instead of
/// a failed run, and any name a Linux folder can hold is scanned and re-scanned correctly.
/// </summary>
public sealed class OddFilesFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task ScanAsync_RecordsAReason_ForANameThatIsNotValidUtf8_AndTakesTheOtherFiles()
    {
        Harness.WriteFile("fine.txt", "fine");
        // .NET cannot make such a name; the shell can.
        Shell($"cd '{Harness.SourcePath}' && printf 'latin-1' > \"$(printf 'caf\\351.txt')\"");

        try
        {
            var summary = await ScanAsync(Source());

            Assert.Equal((1, 1, 1), (summary.Seen, summary.NewVersions, summary.Problems));
            var problem = await ProblemAsync("caf\uFFFD.txt");
            Assert.Equal(("InvalidName", "the name is not valid UTF-8 and cannot be opened; rename it"), problem);
        }
        finally
        {
            Shell($"rm -f '{Harness.SourcePath}'/caf*"); // .NET cannot delete what it cannot name
        }
    }

    [Fact]
    public async Task ScanAsync_TakesAValidNameSpelledWithU_FFFD_AndSetsAsideTheInvalidNameThatReadsTheSame()
    {
        // Both decode to "caf\uFFFD.txt" (and "dir\uFFFD"), which opens the valid one: walked twice, the path stopped every scan.
        Harness.WriteFile("caf\uFFFD.txt", "a valid name with U+FFFD in it");
        Harness.WriteFile("dir\uFFFD/in.txt", "in the valid folder");
        Shell($"cd '{Harness.SourcePath}' && printf 'latin-1' > \"$(printf 'caf\\351.txt')\" && mkdir \"$(printf 'dir\\351')\"");

        try
        {
            var summary = await ScanAsync(Source());

            Assert.Equal((2, 2, 2), (summary.Seen, summary.NewVersions, summary.Problems));
            Assert.Equal(("InvalidName", "two names here read the same: one is not valid UTF-8 and cannot be opened; rename it"), await ProblemAsync("caf\uFFFD.txt"));
            Assert.Equal("InvalidName", (await ProblemAsync("dir\uFFFD")).Kind);
        }
        finally
        {
            Shell($"rm -rf '{Harness.SourcePath}'/caf* '{Harness.SourcePath}'/dir*");
        }
    }

    [Fact]
    public async Task ScanAsync_RecordsEmptyAndTooLargeFiles_WithoutMakingVersionsOfThem()
    {
        Harness.WriteFile("empty.txt", "");
        Harness.WriteFile("big.txt", new string('x', 100));
        Harness.WriteFile("ok.txt", "small");
        var source = Source();
        source.MaxFileBytes = 50;

        var summary = await ScanAsync(source);

        Assert.Equal((3, 1, 2), (summary.Seen, summary.NewVersions, summary.Problems));
        Assert.Equal("Empty", (await ProblemAsync("empty.txt")).Kind);
        Assert.Equal(("TooLarge", "100 bytes is over this source's MaxFileBytes of 50"), await ProblemAsync("big.txt")); // its own limit, not the API's
    }

    [Fact]
    public async Task ScanAsync_SetsAsideAPipeAndASocket_AsNotFiles_WithoutReadingThem()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "statx is how a pipe is told from an empty file; Linux only");
        Harness.WriteFile("ok.txt", "small");
        Shell($"mkfifo '{Path.Combine(Harness.SourcePath, "pipe")}'");
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(Harness.SourcePath, "socket")));

        var summary = await ScanAsync(Source()); // a read of the pipe would block here for ever

        Assert.Equal((1, 2), (summary.NewVersions, summary.Problems));
        Assert.Equal(("NotAFile", "a named pipe (FIFO), not a regular file: never read"), await ProblemAsync("pipe"));
        Assert.Equal(("NotAFile", "a socket, not a regular file: never read"), await ProblemAsync("socket"));
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.source_file where relative_path in ('pipe', 'socket')"));
    }

    [Fact]
    public async Task ScanAsync_ForgetsAProblem_OnceTheFileIsFixed()
    {
        var path = Harness.WriteFile("report.txt", "");
        await ScanAsync(Source());
        File.WriteAllText(path, "now with content");

        var summary = await ScanAsync(Source());

        Assert.Equal((0, 1), (summary.Problems, summary.NewVersions));
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.source_file_problem"));
    }

    [Fact]
    public async Task ScanAsync_SkipsSymbolicLinksByDefault_WithAReasonForEach()
    {
        var target = Directory.CreateDirectory(Path.Combine(Harness.Root, "elsewhere")).FullName;
        File.WriteAllText(Path.Combine(target, "secret.txt"), "outside the source");
        File.CreateSymbolicLink(Path.Combine(Harness.SourcePath, "link.txt"), Path.Combine(target, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(Harness.SourcePath, "linked-dir"), target);
        Harness.WriteFile("real.txt", "real");

        var summary = await ScanAsync(Source());

        Assert.Equal((1, 1, 2), (summary.Seen, summary.NewVersions, summary.Problems));
        Assert.Equal("Symlink", (await ProblemAsync("link.txt")).Kind);
        Assert.Equal(("Symlink", "a symbolic link to a folder, not followed (Symlinks is Skip)"), await ProblemAsync("linked-dir"));
    }

    [Fact]
    public async Task ScanAsync_FollowsSymbolicLinks_WhenConfigured_AndStopsAtALoop()
    {
        var target = Directory.CreateDirectory(Path.Combine(Harness.Root, "elsewhere")).FullName;
        File.WriteAllText(Path.Combine(target, "shared.txt"), "shared content, longer than its link");
        Directory.CreateSymbolicLink(Path.Combine(Harness.SourcePath, "linked-dir"), target);
        File.CreateSymbolicLink(Path.Combine(Harness.SourcePath, "link.txt"), Path.Combine(target, "shared.txt"));
        Harness.WriteFile("sub/real.txt", "real");
        Directory.CreateSymbolicLink(Path.Combine(Harness.SourcePath, "sub", "loop"), Harness.SourcePath);
        var source = Source();
        source.Symlinks = SymlinkPolicy.Follow;

        var summary = await ScanAsync(source);

        Assert.Equal(3, summary.Seen); // linked-dir/shared.txt, link.txt, sub/real.txt; the loop is not walked
        Assert.Equal(2, summary.NewVersions); // the two links share their content
        Assert.Equal(
            new FileInfo(Path.Combine(target, "shared.txt")).Length, // the target's size, not the link's
            await Harness.Database.ScalarAsync<long>("select size from orchestrator.source_file where relative_path = 'link.txt'"));
        Assert.StartsWith("a symbolic link that loops back to", (await ProblemAsync("sub/loop")).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanAsync_FollowingLinks_SetsAsideALoopOfFileLinks_AndTakesTheOtherFiles()
    {
        // Such a link is no folder (stat fails with ELOOP), so the folder-loop guard never sees it.
        Harness.WriteFile("ok.txt", "fine");
        File.CreateSymbolicLink(Path.Combine(Harness.SourcePath, "a.txt"), Path.Combine(Harness.SourcePath, "b.txt"));
        File.CreateSymbolicLink(Path.Combine(Harness.SourcePath, "b.txt"), Path.Combine(Harness.SourcePath, "a.txt"));
        File.CreateSymbolicLink(Path.Combine(Harness.SourcePath, "self.txt"), Path.Combine(Harness.SourcePath, "self.txt"));
        var source = Source();
        source.Symlinks = SymlinkPolicy.Follow;

        var summary = await ScanAsync(source);

        Assert.Equal((1, 1, 3), (summary.Seen, summary.NewVersions, summary.Problems));
        Assert.Equal(
            ("Symlink", "a symbolic link whose target does not exist, or a loop of links; not followed"),
            await ProblemAsync("self.txt"));
    }

    [Fact]
    public async Task AFileWhoseMtimeDotNetCannotHold_IsTakenAndSent_AndItsSourceStillScans()
    {
        // .NET throws reading an mtime past year 9999 or before year 1; ext4 clamps such times, tmpfs keeps them.
        var folder = Directory.CreateDirectory(Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"bo-mtime-{Guid.NewGuid():N}"));
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "ok.txt"), "fine");
            File.WriteAllText(Path.Combine(folder.FullName, "future.txt"), "from a damaged archive");
            File.WriteAllText(Path.Combine(folder.FullName, "past.txt"), "from a wrong clock");
            Shell($"cd '{folder.FullName}' && touch -d @99999999999999 future.txt && touch -d @-99999999999 past.txt");
            Assert.SkipUnless(
                MtimeIsOutOfRange(Path.Combine(folder.FullName, "future.txt")),
                $"the file system of {folder.FullName} keeps no mtime past year 9999 (tmpfs does)");
            await using var h = await PipelineHarness.CreateAsync(Server, new Dictionary<string, string?> { ["Sources:0:Path"] = folder.FullName });

            var batches = await h.RunToRecordedAsync(Ct);
            var again = await h.Get<SourceScanner>().ScanAsync(h.Get<IOptions<SourcesOptions>>().Value.Sources[0], Ct);

            Assert.Single(batches);
            Assert.Equal(
                [("future.txt", "Succeeded"), ("ok.txt", "Succeeded"), ("past.txt", "Succeeded")],
                await h.Database.ListAsync("select relative_path, state from orchestrator.file_story order by 1", r => (r.GetString(0), r.GetString(1))));
            Assert.Equal((3, 0), (again.Seen, again.NewOrChanged));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ScanAsync_TakesAnyUnicodeName_AndFindsNothingChangedOnTheNextScan()
    {
        // Byte order and UTF-16 order disagree on U+E000–U+FFFF against characters beyond U+FFFF (the
        // emoji); NFC and NFD spellings of é are distinct names; spaces, dashes, dots and '/' interleave.
        string[] names =
        [
            "a b.txt", "a-b.txt", "a.b.txt", "a/b.txt", "a b/c.txt", "é.txt", "e\u0301.txt", "\U0001F600.txt",
            "\uE000.txt", "\uFB01le.txt", "日本語/文書 1.txt", "Ünïcödé/ß/ø.txt", "z.txt", "Z.txt", "~tilde.txt",
        ];
        for (var i = 0; i < names.Length; i++)
        {
            Harness.WriteFile(names[i], $"content {i}");
        }

        var first = await ScanAsync(Source());
        var second = await ScanAsync(Source());

        Assert.Equal((names.Length, names.Length), (first.Seen, first.NewVersions));
        Assert.Equal((names.Length, 0, 0, 0), (second.Seen, second.NewOrChanged, second.Vanished, second.NewVersions));
        var stored = await Harness.Database.ListAsync("select relative_path from orchestrator.source_file where deleted_at is null", r => r.GetString(0));
        Assert.Equal(names.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ScanAsync_WithContentHashAndPath_TakesTheSameContentUnderAnotherNameAgain()
    {
        var source = Source();
        source.DedupeKey = DedupeKey.ContentHashAndPath;
        Harness.WriteFile("a.txt", "same");
        Harness.WriteFile("copy.txt", "same");
        var first = await ScanAsync(source);
        File.Move(Path.Combine(Harness.SourcePath, "a.txt"), Path.Combine(Harness.SourcePath, "renamed.txt"));

        var second = await ScanAsync(source);

        Assert.Equal((2, 1), (first.NewVersions, second.NewVersions));
        Assert.Equal(3L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version"));
    }

    private async Task<(string Kind, string Reason)> ProblemAsync(string path) =>
        (await Harness.Database.ListAsync(
            "select kind, reason from orchestrator.source_file_problem where relative_path = $1", r => (r.GetString(0), r.GetString(1)), path)).Single();

    private SourceOptions Source()
    {
        var source = Harness.Get<IOptions<SourcesOptions>>().Value.Sources[0];
        source.SettleWindow = TimeSpan.Zero;
        return source;
    }

    private Task<ScanSummary> ScanAsync(SourceOptions source) => Harness.Get<SourceScanner>().ScanAsync(source, Ct);

    private static bool MtimeIsOutOfRange(string path)
    {
        try
        {
            _ = new FileInfo(path).LastWriteTimeUtc;
            return false;
        }
        catch (ArgumentOutOfRangeException)
        {
            return true;
        }
    }

    private static void Shell(string script)
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", script]) { RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, process.StandardError.ReadToEnd());
    }
}
