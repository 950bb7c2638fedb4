using System.Globalization;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>
/// Draws <see cref="ScanProgress"/> while a scan runs: a bar redrawn in place on a terminal, and a
/// line per phase when the output is a file or a pipe (no control characters in logs).
/// </summary>
internal sealed class ProgressBar(VerbConsole console, ScanProgress progress)
{
    private const int Width = 30;

    public async Task ShowUntilAsync(Task work, CancellationToken cancellationToken)
    {
        var walkedReported = false;
        while (!work.IsCompleted)
        {
            if (console.IsTerminal)
            {
                console.Out.Write("\r" + Line());
            }
            else if (progress.Walked && !walkedReported)
            {
                console.Out.WriteLine(Line());
                walkedReported = true;
            }

            await Task.WhenAny(work, Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken));
        }

        console.Out.Write(console.IsTerminal ? "\r" + Line() + Environment.NewLine : Line() + Environment.NewLine);
    }

    public string Line()
    {
        if (!progress.Walked)
        {
            return string.Create(CultureInfo.InvariantCulture, $"Walking the folder: {progress.Changed} new or changed, {progress.Known} known files compared");
        }

        var total = Math.Max(progress.ToHash, progress.Hashed);
        var fraction = total == 0 ? 1.0 : (double)progress.Hashed / total;
        var filled = (int)Math.Round(fraction * Width);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('.', Width - filled)}] {fraction,4:P0} hashed {progress.Hashed}/{total} new or changed files");
    }
}
