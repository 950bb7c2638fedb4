using System.Globalization;
using Spectre.Console;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>
/// Shows <see cref="ScanProgress"/> while a scan runs: Spectre.Console's live progress (the walk, then
/// hashing with a bar) on a terminal, and a line per phase when the output is a file or a pipe (no
/// control characters in logs).
/// </summary>
internal sealed class ScanProgressDisplay(VerbConsole console, ScanProgress progress)
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(200);

    public Task ShowUntilAsync(Task work, CancellationToken cancellationToken) =>
        console.IsTerminal ? LiveAsync(work, cancellationToken) : PlainAsync(work, cancellationToken);

    /// <summary>The plain line for the current phase.</summary>
    public string Line() => progress.Walked
        ? string.Create(CultureInfo.InvariantCulture, $"Walked the folder; hashed {progress.Hashed}/{HashTotal} new or changed files")
        : string.Create(CultureInfo.InvariantCulture, $"Walking the folder: {progress.Changed} new or changed, {progress.Known} known files compared");

    private long HashTotal => Math.Max(progress.ToHash, progress.Hashed);

    private async Task PlainAsync(Task work, CancellationToken cancellationToken)
    {
        string? printed = null;
        while (!work.IsCompleted)
        {
            if (progress.Walked && printed is null)
            {
                printed = Line();
                await console.Out.WriteLineAsync(printed);
            }

            await Task.WhenAny(work, Task.Delay(Refresh, cancellationToken));
        }

        if (Line() is var last && last != printed)
        {
            await console.Out.WriteLineAsync(last);
        }
    }

    private Task LiveAsync(Task work, CancellationToken cancellationToken) => console.Ansi.Progress()
        .AutoClear(false)
        .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
        .StartAsync(async context =>
        {
            var walk = context.AddTask("Walking the folder").IsIndeterminate();
            ProgressTask? hash = null;
            do
            {
                walk.Description = string.Create(CultureInfo.InvariantCulture, $"Walking the folder: {progress.Changed} new or changed, {progress.Known} known");
                if (progress.Walked)
                {
                    walk.IsIndeterminate(false).Value(walk.MaxValue).StopTask();
                    hash ??= context.AddTask("Hashing");
                    hash.MaxValue = Math.Max(1, HashTotal);
                    hash.Value = HashTotal == 0 ? 1 : progress.Hashed;
                    hash.Description = string.Create(CultureInfo.InvariantCulture, $"Hashed {progress.Hashed}/{HashTotal} new or changed files");
                }

                context.Refresh();
                if (work.IsCompleted)
                {
                    break;
                }

                await Task.WhenAny(work, Task.Delay(Refresh, cancellationToken));
            }
            while (true);

            walk.StopTask();
            hash?.StopTask();
        });
}
