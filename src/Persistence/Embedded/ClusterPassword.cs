using System.Security.Cryptography;

namespace BatchOrchestrator.Persistence.Embedded;

/// <summary>The embedded cluster's generated password: made once, readable by its owner only.</summary>
internal static class ClusterPassword
{
    public static void Ensure(string path)
    {
        if (!File.Exists(path))
        {
            // Written whole under another name, then moved in only if still absent: two first starts at
            // once (before either holds the folder's lock) end up with the one password initdb is given.
            var draft = $"{path}.{Environment.ProcessId}";
            File.WriteAllText(draft, Convert.ToHexString(RandomNumberGenerator.GetBytes(24)));
            try
            {
                File.Move(draft, path);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(draft);
            }
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
