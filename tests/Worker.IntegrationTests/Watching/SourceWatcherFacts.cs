using BatchOrchestrator.Core.Sources;
using Microsoft.Extensions.Logging;

namespace BatchOrchestrator.Worker.IntegrationTests.Watching;

/// <summary>
/// The watcher keeps to the source's path, not to the folder it first opened: a FileSystemWatcher follows a
/// folder moved away and says nothing when its folder is deleted (docs/reliability.md §1.5).
/// </summary>
[Collection(ChildProcesses.Collection)]
public sealed class SourceWatcherFacts : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string root = Directory.CreateTempSubdirectory("bo-watch-").FullName;
    private readonly RecordingScheduler scheduler = new();
    private readonly CapturingLoggerProvider logs = new();

    private string Inbox => Path.Combine(root, "inbox");

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Theory]
    [InlineData("moved away")]
    [InlineData("deleted")]
    public async Task AWatchedFolderMovedAwayOrDeleted_IsReported_AndWatchedAgainWithARun_OnceMadeAgain(string lost)
    {
        Directory.CreateDirectory(Inbox);
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var sources = new SourcesOptions { Sources = [new SourceOptions { Name = "w", Path = Inbox, Watch = true }] };
        var settings = new WatchOptions { Debounce = TimeSpan.FromMilliseconds(200), FolderCheck = TimeSpan.FromMilliseconds(200) };
        using var watcher = new SourceWatcher(
            Options.Create(sources), Options.Create(settings), scheduler, new ServedQueues([]), TimeProvider.System, loggers.CreateLogger<SourceWatcher>());
        await watcher.StartAsync(Ct);
        await WaitForLogAsync("Information", $"Watching {Inbox} for changes", "the watcher to start");
        await Eventually.WaitAsync(() => Task.FromResult(scheduler.Calls.Count), n => n == 1, Patience, "the start-up run");

        var elsewhere = Path.Combine(root, "elsewhere");
        if (lost == "moved away")
        {
            Directory.Move(Inbox, elsewhere);
        }
        else
        {
            Directory.Delete(Inbox);
        }

        await WaitForLogAsync("Warning", $"Watched folder {Inbox} of source w is gone", "a warning that the watched folder is gone");
        if (lost == "moved away")
        {
            // The folder moved away is no longer the source: what happens in it starts nothing.
            await File.WriteAllTextAsync(Path.Combine(elsewhere, "not-the-source.txt"), "x", Ct);
        }

        Directory.CreateDirectory(Inbox);
        await Eventually.WaitAsync(() => Task.FromResult(scheduler.Calls.Count), n => n == 2, Patience, "a run for what arrived while the folder was not watched");
        await File.WriteAllTextAsync(Path.Combine(Inbox, "after.txt"), "x", Ct);
        await Eventually.WaitAsync(() => Task.FromResult(scheduler.Calls.Count), n => n == 3, Patience, "a run started by an event in the folder made again");
        await watcher.StopAsync(CancellationToken.None);

        Assert.Equal([("run", "w:Watch"), ("run", "w:Watch"), ("run", "w:Watch")], scheduler.Calls);
    }

    [Fact]
    public async Task FilesDroppedWhileTheServiceWasDown_AreTakenByARunAsSoonAsTheWatcherStarts_NotByTheNightlySchedule()
    {
        // Written while no process watched: no event will ever tell of them.
        Directory.CreateDirectory(Inbox);
        await File.WriteAllTextAsync(Path.Combine(Inbox, "dropped-during-the-deploy.pdf"), "x", Ct);
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(logs));
        var sources = new SourcesOptions { Sources = [new SourceOptions { Name = "w", Path = Inbox, Watch = true, Schedule = "0 2 * * *" }] };
        var settings = new WatchOptions { Debounce = TimeSpan.FromMilliseconds(200) };
        using var watcher = new SourceWatcher(
            Options.Create(sources), Options.Create(settings), scheduler, new ServedQueues([]), TimeProvider.System, loggers.CreateLogger<SourceWatcher>());

        await watcher.StartAsync(Ct);
        await Eventually.WaitAsync(() => Task.FromResult(scheduler.Calls.Count), n => n == 1, Patience, "a run for the files that arrived while the service was down");
        await watcher.StopAsync(CancellationToken.None);

        Assert.Equal([("run", "w:Watch")], scheduler.Calls);
        Assert.Contains(logs.Lines, l => l.Contains($"Watching {Inbox} for changes to source w; starting a run for files that arrived while the service was not running", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EventsUnderHiddenNames_StartNoRun_ButARenameFromAHiddenNameToAVisibleOneDoes()
    {
        Directory.CreateDirectory(Inbox);
        var outside = Directory.CreateDirectory(Path.Combine(root, "outside")).FullName;
        var touches = 0;
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(logs));
        using var folder = new WatchedFolder(new SourceOptions { Name = "w", Path = Inbox, Watch = true }, _ => Interlocked.Increment(ref touches), () => { }, loggers.CreateLogger("watch"));
        folder.Check();
        Assert.Equal(1, Volatile.Read(ref touches)); // the start-up run, for what arrived while nobody watched

        async Task HiddenWritesAsync()
        {
            await File.WriteAllTextAsync(Path.Combine(Inbox, ".DS_Store"), "finder", Ct);
            Directory.CreateDirectory(Path.Combine(Inbox, ".git"));
            await File.WriteAllTextAsync(Path.Combine(Inbox, ".git", "index"), "git", Ct);
        }

        // Moved in from outside the folder, a file is one event; inotify reports in order, so once it has been
        // counted every event of the hidden writes before it has been seen too.
        async Task MoveInAsync(string name, int expected)
        {
            await File.WriteAllTextAsync(Path.Combine(outside, name), "a document", Ct);
            File.Move(Path.Combine(outside, name), Path.Combine(Inbox, name));
            await Eventually.WaitAsync(() => Task.FromResult(Volatile.Read(ref touches)), n => n >= expected, Patience, $"the event of {name}");
        }

        await HiddenWritesAsync();
        await File.WriteAllTextAsync(Path.Combine(Inbox, ".draft.pdf"), "downloading", Ct);
        await MoveInAsync("first.pdf", 2);
        Assert.Equal(2, Volatile.Read(ref touches));

        File.Move(Path.Combine(Inbox, ".draft.pdf"), Path.Combine(Inbox, "draft.pdf"));
        await Eventually.WaitAsync(() => Task.FromResult(Volatile.Read(ref touches)), n => n >= 3, Patience, "the rename to a visible name");

        await HiddenWritesAsync();
        await MoveInAsync("second.pdf", 4);
        Assert.Equal(4, Volatile.Read(ref touches));
    }

    [Fact]
    public async Task EventsOnFilesTheSourceLeavesOut_StartNoRun_ButAFolderMovedIn_Does_WhateverItsName()
    {
        Directory.CreateDirectory(Path.Combine(Inbox, "logs"));
        var outside = Directory.CreateDirectory(Path.Combine(root, "outside")).FullName;
        var touches = 0;
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(logs));
        var source = new SourceOptions { Name = "w", Path = Inbox, Watch = true, Include = ["**/*.pdf"], Exclude = ["logs", "**/*.log"] };
        using var folder = new WatchedFolder(source, _ => Interlocked.Increment(ref touches), () => { }, loggers.CreateLogger("watch"));
        folder.Check();
        Assert.Equal(1, Volatile.Read(ref touches)); // the start-up run

        // What a service writing its log beside the documents, and a download in progress, do every few seconds.
        async Task LeftOutWritesAsync(string round)
        {
            for (var i = 0; i < 3; i++)
            {
                await File.AppendAllTextAsync(Path.Combine(Inbox, "logs", "app.txt"), round, Ct);
                await File.AppendAllTextAsync(Path.Combine(Inbox, "server.log"), round, Ct);
                await File.AppendAllTextAsync(Path.Combine(Inbox, "report.pdf.tmp"), round, Ct);
                await File.AppendAllTextAsync(Path.Combine(Inbox, "notes.txt"), round, Ct);
            }
        }

        // inotify reports in order: once a file moved in is counted, every event before it has been seen.
        async Task MoveInAsync(string name, int expected)
        {
            await File.WriteAllTextAsync(Path.Combine(outside, name), "a document", Ct);
            File.Move(Path.Combine(outside, name), Path.Combine(Inbox, name));
            await Eventually.WaitAsync(() => Task.FromResult(Volatile.Read(ref touches)), n => n >= expected, Patience, $"the event of {name}");
        }

        await LeftOutWritesAsync("first");
        await MoveInAsync("first.pdf", 2);
        Assert.Equal(2, Volatile.Read(ref touches));

        // A folder moved in is one event, under a name no Include pattern takes as a file.
        Directory.CreateDirectory(Path.Combine(outside, "batch"));
        await File.WriteAllTextAsync(Path.Combine(outside, "batch", "inner.pdf"), "a document", Ct);
        Directory.Move(Path.Combine(outside, "batch"), Path.Combine(Inbox, "batch"));
        await Eventually.WaitAsync(() => Task.FromResult(Volatile.Read(ref touches)), n => n >= 3, Patience, "the folder moved in");

        await LeftOutWritesAsync("second");
        await MoveInAsync("second.pdf", 4);
        Assert.Equal(4, Volatile.Read(ref touches));
    }

    private Task WaitForLogAsync(string level, string text, string what) => Eventually.WaitAsync(
        () => Task.FromResult(logs.Lines.Any(l => l.StartsWith(level, StringComparison.Ordinal) && l.Contains(text, StringComparison.Ordinal))),
        Patience,
        what);
}
