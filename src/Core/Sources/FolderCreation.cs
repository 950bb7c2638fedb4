using System.Runtime.InteropServices;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// Whether a missing folder could be created, asked without creating it (<c>config check</c> creates nothing): the
/// nearest entry above it that exists must be a folder this process may write into. Asked of the system with
/// access(2), which also says no on a read-only mount (a hardened service's file system). Where it cannot be asked
/// (not Linux), the answer is yes, and start-up finds out.
/// </summary>
internal static class FolderCreation
{
    private const int WriteAndSearch = 0x2 | 0x1; // W_OK | X_OK
    private const int ReadAndSearch = 0x4 | 0x1; // R_OK | X_OK

    /// <summary>Why <paramref name="path"/> could not be created, or null when it could (or cannot be known).</summary>
    public static string? WhyNot(string path)
    {
        var above = Path.GetDirectoryName(Path.GetFullPath(path));
        while (above is not null && !Path.Exists(above))
        {
            above = Path.GetDirectoryName(above);
        }

        if (above is null)
        {
            return null;
        }

        if (File.Exists(above))
        {
            return $"'{above}' is a file";
        }

        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return Access(System.Text.Encoding.UTF8.GetBytes(above + "\0"), WriteAndSearch) == 0
                ? null
                : $"this user may not create folders in '{above}' ({new System.ComponentModel.Win32Exception(Marshal.GetLastPInvokeError()).Message})";
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Why this process could not list <paramref name="path"/>, a folder that exists, or null when it could (or cannot
    /// be known): a source folder the service's user may not read fails every scan, so it is said at start-up instead.
    /// </summary>
    public static string? WhyNotReadable(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return Access(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(path) + "\0"), ReadAndSearch) == 0
                ? null
                : new System.ComponentModel.Win32Exception(Marshal.GetLastPInvokeError()).Message;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    [DllImport("libc", EntryPoint = "access", SetLastError = true)]
    private static extern int Access(byte[] nulTerminatedUtf8Path, int mode);
}
