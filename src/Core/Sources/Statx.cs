using System.Runtime.InteropServices;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// statx(2) on Linux, whose buffer layout is the same on every architecture: what .NET does not say about an
/// entry (its type beyond file or folder, its device and inode). Null where it cannot be asked (another system,
/// a libc without statx: glibc before 2.28, some musl builds) or when the path cannot be read.
/// </summary>
internal readonly record struct Statx(ushort Mode, ulong Inode, uint DeviceMajor, uint DeviceMinor)
{
    public const ushort TypeMask = 0xF000;
    public const ushort Directory = 0x4000;
    private const int AtFdCwd = -100;
    private const uint TypeAndInode = 0x1 | 0x100; // STATX_TYPE | STATX_INO; the device is always filled in
    private const int ModeOffset = 28;    // stx_mode (__u16), after mask, blksize, attributes, nlink, uid, gid
    private const int InodeOffset = 32;   // stx_ino (__u64)
    private const int DeviceOffset = 136; // stx_dev_major, stx_dev_minor (__u32 each)

    /// <summary>Whether both name the same entry (its device and inode), by whichever path each was reached.</summary>
    public bool IsSame(Statx other) => Inode == other.Inode && DeviceMajor == other.DeviceMajor && DeviceMinor == other.DeviceMinor;

    /// <summary>Whether statx can be asked here at all, so that a null from <see cref="Of"/> means the path could not be looked at.</summary>
    public static bool Works { get; } = Of("/") is not null;

    /// <summary>The entry at <paramref name="path"/>, following a symbolic link; null when it cannot be known.</summary>
    public static Statx? Of(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var buffer = new byte[256];
        try
        {
            if (Call(AtFdCwd, System.Text.Encoding.UTF8.GetBytes(path + "\0"), 0, TypeAndInode, buffer) != 0)
            {
                return null; // gone, or unreadable
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }

        return new(
            BitConverter.ToUInt16(buffer, ModeOffset),
            BitConverter.ToUInt64(buffer, InodeOffset),
            BitConverter.ToUInt32(buffer, DeviceOffset),
            BitConverter.ToUInt32(buffer, DeviceOffset + 4));
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Call(int dirFd, byte[] nulTerminatedUtf8Path, int flags, uint mask, byte[] buffer);
}
