using System.Diagnostics;

namespace BatchOrchestrator.Persistence.Embedded;

/// <summary>Runs a PostgreSQL tool, optionally as another user (via runuser), and fails with its output.</summary>
internal static class ProcessRunner
{
    // Where the tools and their libraries are (a BinDirectory unpacked from an archive may need LD_LIBRARY_PATH), the
    // time zone initdb gives a new cluster, and where temporary files go. runuser sets HOME, USER and the like itself.
    private static readonly string[] PassedOn = ["PATH", "LD_LIBRARY_PATH", "TZ", "TMPDIR", "HOME", "USER", "LOGNAME"];

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

        // The tools get what they need of our environment and nothing else. pg_ctl's postmaster keeps the environment it
        // was started with for its whole life, in /proc/<pid>/environ, readable by its user ('postgres' when we run as
        // root, whom another server on the machine may share); ours holds LLAMA_CLOUD_API_KEY, the webhook secret and
        // every Section__Key setting, a connection string's password among them (docs/operations.md, "The embedded
        // server as root"). Nor may they inherit a locale the server lacks, or a PGDATA pointing elsewhere.
        start.Environment.Clear();
        foreach (var name in PassedOn)
        {
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
            {
                start.Environment[name] = value;
            }
        }

        start.Environment["LC_ALL"] = "C.UTF-8";

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
