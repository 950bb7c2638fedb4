using System.Runtime.InteropServices;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// Tells a named pipe, a socket or a device from a regular file, which .NET does not (all three
/// enumerate as "Normal" with length 0). Linux only, through statx(2), whose buffer layout is the same
/// on every architecture; elsewhere the answer is "not known" and such an entry stays an empty file.
/// Asked only about zero-length entries, so it costs nothing on an ordinary tree.
/// </summary>
internal static class FileKind
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28; // struct statx: stx_mode (__u16) after mask, blksize, attributes, nlink, uid, gid

    /// <summary>What the entry at <paramref name="path"/> is when it is not a regular file or folder ("a named pipe (FIFO)"), else null.</summary>
    public static string? SpecialKindOf(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var buffer = new byte[256];
        try
        {
            if (Statx(AtFdCwd, System.Text.Encoding.UTF8.GetBytes(path + "\0"), 0, StatxType, buffer) != 0)
            {
                return null; // gone, or unreadable: the ordinary paths report those
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null; // a libc without statx (glibc before 2.28, some musl builds)
        }

        return (BitConverter.ToUInt16(buffer, ModeOffset) & 0xF000) switch
        {
            0x1000 => "a named pipe (FIFO)",
            0xC000 => "a socket",
            0x2000 => "a character device",
            0x6000 => "a block device",
            _ => null,
        };
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirFd, byte[] nulTerminatedUtf8Path, int flags, uint mask, byte[] buffer);
}
