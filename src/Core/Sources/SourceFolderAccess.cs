namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// What this process does with the source folders, so that only a process that reads them is stopped by one
/// that is missing, and only one that would read it creates it (<see cref="SourceOptions.CreateIfMissing"/>).
/// The service and the verbs that scan read them; <c>config check</c> looks at them as the service would and
/// changes nothing; the other verbs (status, retry, cancelling, costs) work on the database alone, and must
/// work while a share is unmounted: that is when an operator asks for them.
/// </summary>
public sealed class SourceFolderAccess
{
    /// <summary>Scans the folders: a missing one is created if marked so, else it stops start-up.</summary>
    public static readonly SourceFolderAccess Read = new(checks: true, creates: true);

    /// <summary>Reports what would stop the service, creating nothing: a folder marked to be created is not missing.</summary>
    public static readonly SourceFolderAccess Check = new(checks: true, creates: false);

    /// <summary>Never looks at the folders.</summary>
    public static readonly SourceFolderAccess None = new(checks: false, creates: false);

    private SourceFolderAccess(bool checks, bool creates) => (Checks, Creates) = (checks, creates);

    /// <summary>Whether a missing folder (or a file in its place) is a configuration failure here.</summary>
    public bool Checks { get; }

    /// <summary>Whether a missing folder marked <see cref="SourceOptions.CreateIfMissing"/> is created here.</summary>
    public bool Creates { get; }
}
