using System.Runtime.InteropServices;
using System.Text;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// realpath(3): a path with every link in it resolved, as the kernel would walk it, which .NET does not offer (its
/// <see cref="FileSystemInfo.ResolveLinkTarget"/> resolves the last name only). Null where it cannot be asked or the path
/// cannot be resolved (gone, unreadable).
/// </summary>
internal static class RealPath
{
    private const int PathMax = 4096;

    public static string? Of(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var resolved = new byte[PathMax];
        try
        {
            if (Call(Encoding.UTF8.GetBytes(path + "\0"), resolved) == IntPtr.Zero)
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }

        return Encoding.UTF8.GetString(resolved, 0, Array.IndexOf(resolved, (byte)0));
    }

    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static extern IntPtr Call(byte[] nulTerminatedUtf8Path, byte[] resolved);
}
