namespace BatchOrchestrator.Core.Sources;

/// <summary>What a scan does with symbolic links ("Sources:N:Symlinks").</summary>
public enum SymlinkPolicy
{
    /// <summary>Not taken; each link is listed with a reason. Safe default: a link can point anywhere, /etc included.</summary>
    Skip,

    /// <summary>Links to files are taken with their target's content; links to folders are walked, loop-safe.</summary>
    Follow,
}
