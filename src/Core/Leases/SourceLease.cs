namespace BatchOrchestrator.Core.Leases;

/// <summary>
/// The lease a run holds over its source (docs/sources.md, "Triggers"): runs of one source never overlap, and an
/// operator's change to the source's whole record (a rename) waits for none to be under way.
/// </summary>
internal static class SourceLease
{
    /// <summary>What every source lease's name starts with; the watchdog joins runs to their leases by it.</summary>
    public const string Prefix = "source:";

    public static string Name(string source) => Prefix + source;
}
