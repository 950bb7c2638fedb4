using System.Diagnostics;

namespace BatchOrchestrator.Persistence.Embedded;

/// <summary>Runs a PostgreSQL tool, optionally as another user (via runuser), and fails with its output.</summary>
internal static class ProcessRunner
{
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string fileName, IEnumerable<string> arguments, string? runAsUser, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (runAsUser is null)
        {
            start.FileName = fileName;
        }
        else
        {
            start.FileName = "runuser";
            foreach (var prefix in new[] { "-u", runAsUser, "--", fileName })
            {
                start.ArgumentList.Add(prefix);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The tools must not inherit a locale the server lacks, nor a PGDATA pointing elsewhere.
        start.Environment["LC_ALL"] = "C.UTF-8";
        start.Environment.Remove("PGDATA");

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, (await stdout) + (await stderr));
    }

    public static async Task<string> RunCheckedAsync(
        string fileName, IEnumerable<string> arguments, string? runAsUser, CancellationToken cancellationToken)
    {
        var args = arguments.ToList();
        var (exitCode, output) = await RunAsync(fileName, args, runAsUser, cancellationToken);
        return exitCode == 0
            ? output
            : throw new InvalidOperationException(
                $"{Path.GetFileName(fileName)} {string.Join(' ', args.Where(a => !a.StartsWith("--pwfile", StringComparison.Ordinal)))} failed with exit code {exitCode}: {output.Trim()}");
    }
}
