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

    /// <summary>Runs a short command and returns its exit code (for checks made before anything starts).</summary>
    public static int Run(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}");
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>What a short command printed on stdout, trimmed; null when it failed.</summary>
    public static string? Output(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}");
        var output = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output.Trim() : null;
    }

    public static async Task<string> RunCheckedAsync(
        string fileName, IEnumerable<string> arguments, string? runAsUser, CancellationToken cancellationToken)
    {
        var args = arguments.ToList();
        var (exitCode, output) = await RunAsync(fileName, args, runAsUser, cancellationToken);
        // One line: the tool's last words say why (initdb and pg_ctl end with the reason).
        var reason = string.Join(" / ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3));
        return exitCode == 0
            ? output
            : throw new EmbeddedPostgresException(
                $"{Path.GetFileName(fileName)}{(args.Count > 0 && !args[0].StartsWith('-') ? " " + args[0] : "")} failed with exit code {exitCode}: {reason}");
    }
}
