using System.Runtime.InteropServices;

namespace BatchOrchestrator.Worker.Watching;

/// <summary>
/// Which folder a path names now: device and inode on Linux, through statx(2), whose buffer layout is the
/// same on every architecture (as <c>FileKind</c> in Core reads it). A folder moved away and another made
/// under the old name is a different identity, which <see cref="Directory.Exists"/> cannot tell. Elsewhere,
/// or with a libc without statx, only "a folder is there" is known.
/// </summary>
internal readonly record struct FolderIdentity(ulong DeviceMajor, ulong DeviceMinor, ulong Inode)
{
    private const int AtFdCwd = -100;
    private const uint StatxTypeAndInode = 0x1 | 0x100; // STATX_TYPE | STATX_INO; the device is always filled in
    private const int ModeOffset = 28;   // stx_mode (__u16)
    private const int InodeOffset = 32;  // stx_ino (__u64)
    private const int DeviceOffset = 136; // stx_dev_major, stx_dev_minor (__u32 each)
    private const ushort Directory = 0x4000;

    /// <summary>What identifies a folder where no inode can be read: its being there.</summary>
    private static readonly FolderIdentity Present = new(0, 0, 0);

    /// <summary>The folder at <paramref name="path"/> (following a symbolic link, as the watcher does), or null when there is none.</summary>
    public static FolderIdentity? Of(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            var buffer = new byte[256];
            try
            {
                if (Statx(AtFdCwd, System.Text.Encoding.UTF8.GetBytes(path + "\0"), 0, StatxTypeAndInode, buffer) != 0)
                {
                    return null; // gone, or no longer reachable: either way not watchable
                }

                return (BitConverter.ToUInt16(buffer, ModeOffset) & 0xF000) == Directory
                    ? new(BitConverter.ToUInt32(buffer, DeviceOffset), BitConverter.ToUInt32(buffer, DeviceOffset + 4), BitConverter.ToUInt64(buffer, InodeOffset))
                    : null;
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                // a libc without statx (glibc before 2.28, some musl builds): fall back to presence
            }
        }

        return System.IO.Directory.Exists(path) ? Present : null;
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirFd, byte[] nulTerminatedUtf8Path, int flags, uint mask, byte[] buffer);
}
