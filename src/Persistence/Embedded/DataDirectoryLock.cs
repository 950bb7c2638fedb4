using System.Globalization;

namespace BatchOrchestrator.Persistence.Embedded;

/// <summary>
/// Which process owns the embedded server of a data folder: the one holding <c>instance.lock</c> in it
/// open with <see cref="FileShare.None"/>, for as long as it runs. Only the owner starts and stops the
/// server, so a second service on the same folder can never stop the first one's database.
/// </summary>
/// <remarks>
/// On Unix .NET turns <see cref="FileShare.None"/> into an advisory <c>flock(LOCK_EX | LOCK_NB)</c> and
/// throws only when another open file holds it (dotnet/runtime 10,
/// <c>src/libraries/System.Private.CoreLib/src/Microsoft/Win32/SafeHandles/SafeFileHandle.Unix.cs</c>,
/// <c>Init</c>). The kernel drops a flock when its holder ends, however it ends, so a killed service
/// leaves no stale lock behind. The file is opened close-on-exec (no <see cref="FileShare.Inheritable"/>),
/// so the server pg_ctl starts does not inherit the lock and outlive us holding it.
/// </remarks>
internal sealed class DataDirectoryLock : IDisposable
{
    private const string LockName = "instance.lock";

    // Beside the lock, not in it: while the lock is held no other FileStream may open the locked file, not even to read.
    private const string PidName = "instance.pid";

    private readonly FileStream held;
    private readonly string pidFile;

    private DataDirectoryLock(FileStream held, string pidFile)
    {
        this.held = held;
        this.pidFile = pidFile;
    }

    /// <summary>The lock of <paramref name="root"/>, or null when another live process holds it.</summary>
    public static DataDirectoryLock? TryTake(string root)
    {
        FileStream held;
        try
        {
            held = new FileStream(Path.Combine(root, LockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null; // the only failure .NET reports from the flock itself: someone else holds it
        }

        var pidFile = Path.Combine(root, PidName);
        File.WriteAllText(pidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        return new DataDirectoryLock(held, pidFile);
    }

    /// <summary>The process id the holder of <paramref name="root"/>'s lock wrote, if it could be read.</summary>
    public static string? Holder(string root)
    {
        try
        {
            var pid = File.ReadAllText(Path.Combine(root, PidName)).Trim();
            return int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? pid : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // only for the message: the lock, not this file, decides
        }
    }

    public void Dispose()
    {
        try
        {
            // The pid goes first, while the lock still keeps the next owner from writing its own.
            File.Delete(pidFile);
        }
        finally
        {
            held.Dispose();
        }
    }
}
