using System.Globalization;
using Npgsql;

namespace BatchOrchestrator.Bench;

/// <summary>
/// CPU time of processes from /proc/&lt;pid&gt;/stat, in clock ticks: user and system time of a process, plus
/// those of its children it has already reaped (cutime, cstime), so a backend that ended within a
/// window is still counted, by its parent.
/// </summary>
internal static class ProcessCpu
{
    /// <summary>Clock ticks per second (USER_HZ), the unit of the times in /proc.</summary>
    public static int TicksPerSecond { get; } = ReadTicksPerSecond();

    /// <summary>The process's own time and that of its reaped children.</summary>
    public static long Ticks(int pid) => Stat(pid) is { } stat ? stat.Ticks : 0;

    /// <summary>A process and its live children (with what each has reaped): a PostgreSQL server is its postmaster and these.</summary>
    public static long TreeTicks(int rootPid)
    {
        var total = Ticks(rootPid);
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && Stat(pid) is { ParentId: var parent } stat && parent == rootPid)
            {
                total += stat.Ticks;
            }
        }

        return total;
    }

    /// <summary>The parent of a process (a backend's parent is its postmaster), or 0.</summary>
    public static int ParentOf(int pid) => Stat(pid) is { ParentId: var parent } ? parent : 0;

    /// <summary>The postmaster's pid: the first line of the cluster's postmaster.pid.</summary>
    public static int PostmasterPid(string clusterDirectory) =>
        int.Parse(File.ReadLines(Path.Combine(clusterDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);

    /// <summary>The postmaster of the server behind <paramref name="dataSource"/>: the parent of one of its backends.</summary>
    public static async Task<int> PostmasterOfAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
        ParentOf((int)await EndToEndBenchmark.ScalarAsync(dataSource, "select pg_backend_pid()", cancellationToken));

    /// <summary>Percent of one core used by <paramref name="ticks"/> over <paramref name="seconds"/>.</summary>
    public static double PercentOfCore(long ticks, double seconds) => 100.0 * ticks / TicksPerSecond / seconds;

    private static (int ParentId, long Ticks)? Stat(int pid)
    {
        string line;
        try
        {
            line = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // gone meanwhile
        }

        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so fields count from the last ')'.
        var fields = line[(line.LastIndexOf(')') + 2)..].Split(' ');
        long Field(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);
        return ((int)Field(4), Field(14) + Field(15) + Field(16) + Field(17));
    }

    private static int ReadTicksPerSecond()
    {
        using var getconf = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("getconf", ["CLK_TCK"]) { RedirectStandardOutput = true })!;
        var text = getconf.StandardOutput.ReadToEnd().Trim();
        getconf.WaitForExit();
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks > 0 ? ticks : 100;
    }
}

/// <summary>
/// CPU used from <see cref="Start"/> to <see cref="Stop"/> by this process and by a PostgreSQL server (its
/// postmaster's tree; none when the postmaster is 0): where a step's time went beside its wall clock.
/// </summary>
internal readonly record struct CpuMeter(int Postmaster, TimeSpan Process, long PostgresTicks)
{
    public static CpuMeter Start(int postmaster) => new(postmaster, Environment.CpuUsage.TotalTime, postmaster == 0 ? 0 : ProcessCpu.TreeTicks(postmaster));

    /// <summary>Milliseconds of CPU since <see cref="Start"/>: this process's, and PostgreSQL's.</summary>
    public (double ProcessMs, double PostgresMs) Stop() =>
        ((Environment.CpuUsage.TotalTime - Process).TotalMilliseconds,
         Postmaster == 0 ? 0 : (ProcessCpu.TreeTicks(Postmaster) - PostgresTicks) * 1000.0 / ProcessCpu.TicksPerSecond);
}

/// <summary>Methods the JIT compiled in this process (a promotion to a higher tier counts again) between start and stop, and the time it took.</summary>
internal readonly record struct JitMeter(long Methods, TimeSpan Time)
{
    public static JitMeter Start() => new(System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());

    public string Stop() => string.Create(
        CultureInfo.InvariantCulture,
        $"JIT {System.Runtime.JitInfo.GetCompiledMethodCount() - Methods} methods in {(System.Runtime.JitInfo.GetCompilationTime() - Time).TotalMilliseconds:F0} ms");
}
