namespace BatchOrchestrator.Core.Tests.Sources;

/// <summary>
/// A source folder the service's user may not list and enter fails every scan of it: said once, at start-up and by
/// <c>config check</c>, naming the key, as a missing folder is.
/// </summary>
public sealed class UnreadableSourceFolderFacts : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("bo-unreadable-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void AFolderThisUserMayNotRead_StopsStartUp_NamingTheKey()
    {
        Assert.SkipWhen(Environment.UserName == "root", "root reads every folder access(2) is asked about, so only another user can see this refusal");
        var locked = Path.Combine(folder, "locked");
        Directory.CreateDirectory(locked);
        File.SetUnixFileMode(locked, UnixFileMode.None);
        try
        {
            var failures = StartupChecks.Failures(new Dictionary<string, string?> { ["Sources:0:Name"] = "inbox", ["Sources:0:Path"] = locked });

            Assert.StartsWith($"Sources:0:Path: directory '{locked}' cannot be read by this user (", Assert.Single(failures), StringComparison.Ordinal);
        }
        finally
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void AFolderThisUserMayRead_IsTaken()
    {
        Assert.Empty(StartupChecks.Failures(new Dictionary<string, string?> { ["Sources:0:Name"] = "inbox", ["Sources:0:Path"] = folder }));
    }
}
