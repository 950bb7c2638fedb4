using System.Diagnostics;
using System.Globalization;

namespace BatchOrchestrator.Bench;

/// <summary>
/// One run of the published service's <c>scan</c> verb over a folder (scan and planning, in the service's own
/// process with its runtime settings), with its peak resident memory: VmHWM, read from /proc until it exits.
/// </summary>
internal static class ServiceScan
{
    public static async Task<(double PeakMb, double Seconds)> RunAsync(string workerDll, string folder, string connectionString, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet", [workerDll, "scan", "bench"])
        {
            WorkingDirectory = Path.GetDirectoryName(workerDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Database__ConnectionString"] = connectionString;
        start.Environment["Sources__0__Name"] = "bench";
        start.Environment["Sources__0__Path"] = folder;
        start.Environment["Sources__0__SettleWindow"] = "00:00:00";
        start.Environment["Sources__0__Watch"] = "false";
        start.Environment["LLAMA_CLOUD_API_KEY"] = "llx-bench-unused"; // the verb plans only; nothing is sent
        start.Environment["FollowUp__OutputPath"] = Path.Combine(Path.GetTempPath(), "bo-bench-unused-output");
        var clock = Stopwatch.StartNew();
        using var verb = Process.Start(start)!;
        var output = verb.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = verb.StandardError.ReadToEndAsync(cancellationToken);
        long peakKb = 0;
        while (!verb.HasExited)
        {
            peakKb = Math.Max(peakKb, PeakKb(verb.Id));
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }

        await verb.WaitForExitAsync(cancellationToken);
        if (verb.ExitCode != 0)
        {
            throw new InvalidOperationException($"scan verb exited with {verb.ExitCode}: {await output}\n{await errors}");
        }

        return (peakKb / 1024.0, clock.Elapsed.TotalSeconds);
    }

    // VmHWM is the process's peak so far; 0 once it is gone.
    private static long PeakKb(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
