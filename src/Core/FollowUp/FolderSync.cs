using System.ComponentModel;
using System.Runtime.InteropServices;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// fsync(2) on a folder. .NET opens no handle on a folder (File.OpenHandle refuses one), so the folder is opened
/// read-only with open(2) and synced with fsync(2), as PostgreSQL's fsync_fname does. Elsewhere than Linux nothing is
/// done: the service runs on Linux (docs/deployment.md), and NTFS journals its renames itself.
/// </summary>
internal sealed class FolderSync : IFolderSync
{
    private const int ReadOnly = 0;        // O_RDONLY
    private const int CloseOnExec = 0x80000; // O_CLOEXEC, the same on x86-64 and arm64 (O_DIRECTORY is not, so not used)
    private const int Interrupted = 4;     // EINTR
    private const int BadDescriptor = 9;   // EBADF
    private const int Invalid = 22;        // EINVAL

    public void Sync(string folder)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var path = System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(folder) + "\0");
        int descriptor;
        do
        {
            descriptor = Open(path, ReadOnly | CloseOnExec);
        }
        while (descriptor < 0 && Marshal.GetLastPInvokeError() == Interrupted);

        if (descriptor < 0)
        {
            throw Failure("open", folder, Marshal.GetLastPInvokeError());
        }

        try
        {
            // A file system that cannot sync a folder at all answers EINVAL (or EBADF on a read-only descriptor): there is
            // nothing more to do there, as PostgreSQL concludes too. Anything else (EIO, ENOSPC) is the write not being safe.
            if (Fsync(descriptor) != 0 && Marshal.GetLastPInvokeError() is not (Invalid or BadDescriptor) and var error)
            {
                throw Failure("fsync", folder, error);
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    private static IOException Failure(string call, string folder, int error) =>
        new($"{call} of folder '{folder}' failed: {new Win32Exception(error).Message}; what was written there may not survive a power cut");

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(byte[] nulTerminatedUtf8Path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int descriptor);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int descriptor);
}
