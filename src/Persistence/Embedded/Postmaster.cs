using System.Globalization;

namespace BatchOrchestrator.Persistence.Embedded;

/// <summary>
/// The server's postmaster, as the first line of its <c>postmaster.pid</c> names it, and whether that process
/// still runs. pg_ctl starts it detached (once pg_ctl has ended its parent is init, not us), so it cannot be
/// waited for as a child: it is looked up in /proc instead, one small read.
/// </summary>
internal sealed class Postmaster
{
    private readonly string startTime;

    private Postmaster(int pid, string startTime)
    {
        Pid = pid;
        this.startTime = startTime;
    }

    public int Pid { get; }

    /// <summary>
    /// Whether the process still runs: not gone, not a zombie nobody has reaped yet (PostgreSQL takes it for a live
    /// postmaster, but it serves nothing), and not another process given the same id since.
    /// </summary>
    public bool IsRunning => Stat(Pid) is { Running: true } stat && stat.StartTime == startTime;

    /// <summary>The running postmaster of <paramref name="cluster"/>; null when none runs, or it cannot be told (no /proc).</summary>
    public static Postmaster? Find(string cluster) =>
        PidIn(cluster) is { } pid && Stat(pid) is { Running: true } stat ? new Postmaster(pid, stat.StartTime) : null;

    /// <summary>
    /// The process id <c>postmaster.pid</c> names when a live process has it that is no PostgreSQL at all: the file was
    /// left by a server killed with the machine or the whole service, and the id has gone since to another program of
    /// the same user, to another cluster's PostgreSQL server of that user, or to a thread of ours (a thread's id answers
    /// kill(2) as its process does). Null when there is no file, its process is gone, it is this cluster's server, or it
    /// cannot be told (another user's process: neither pg_ctl nor PostgreSQL takes that for a server).
    /// </summary>
    public static int? LeftNamingAnotherProgram(string cluster)
    {
        if (PidIn(cluster) is not { } pid)
        {
            return null;
        }

        string? program;
        try
        {
            program = File.ResolveLinkTarget(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/exe"), returnFinalTarget: false)?.FullName;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // gone, a zombie, or not ours to look at
        }

        if (program is null)
        {
            return null;
        }

        // "postgres", or "postgres (deleted)" for a server whose binary an upgrade replaced: a server, but maybe another
        // cluster's. As root the embedded server runs as `postgres`, the machine's own PostgreSQL's user, so after a reboot
        // the dead server's id may well be one of that server's processes; PostgreSQL itself, finding a live process of its
        // user, refuses to start, at every start. Every server process works in its own cluster's folder (the postmaster
        // changes into it), where its own lock file lies: one that is not ours says it serves another cluster.
        if (Path.GetFileName(program) is "postgres" or "postgres (deleted)")
        {
            return ServesAnotherCluster(pid, cluster) ? pid : null;
        }

        // A process whose working directory is the data folder is its server whatever its binary is called (renamed, run
        // under an emulator): a live server's file is never taken away.
        return !WorksIn(pid, cluster) ? pid : null;
    }

    // By the data folder each lock file names on its second line, which a server never rewrites: the rest of the file
    // changes as it starts and stops, so two reads of our own live server's file could differ and take it for another's.
    private static bool ServesAnotherCluster(int pid, string cluster)
    {
        try
        {
            var theirs = File.ReadLines(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/cwd/postmaster.pid")).ElementAtOrDefault(1);
            var ours = File.ReadLines(Path.Combine(cluster, "postmaster.pid")).ElementAtOrDefault(1);
            return !string.IsNullOrEmpty(theirs) && !string.IsNullOrEmpty(ours) && theirs != ours;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false; // no lock file where it works, or not ours to look at: cannot tell, left alone
        }
    }

    private static bool WorksIn(int pid, string cluster)
    {
        try
        {
            return File.ResolveLinkTarget(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/cwd"), returnFinalTarget: false)?.FullName is { } cwd
                && string.Equals(Path.TrimEndingDirectorySeparator(cwd), Path.TrimEndingDirectorySeparator(Path.GetFullPath(cluster)), StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return true; // cannot tell: left alone, as before
        }
    }

    private static int? PidIn(string cluster)
    {
        string? first;
        try
        {
            first = File.ReadLines(Path.Combine(cluster, "postmaster.pid")).FirstOrDefault();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // no server, or one that is just writing the file
        }

        return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    private static (bool Running, string StartTime)? Stat(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/stat"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // gone (and reaped)
        }

        // "pid (comm) state ppid …" (proc(5)): the command may hold spaces and parentheses, so count from the last ')'.
        // The state is field 3 (Z or X: it has exited), the start time, in clock ticks since boot, field 22.
        var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 19 ? (fields[0] is not ("Z" or "X" or "x"), fields[19]) : null;
    }
}
