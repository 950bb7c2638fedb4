namespace BatchOrchestrator.Core.Leases;

/// <summary>
/// The lease a run holds over its source (docs/sources.md, "Triggers"): runs of one source never overlap, and an
/// operator's change to the source's whole record (a rename) waits for none to be under way.
/// </summary>
internal static class SourceLease
{
    public static string Name(string source) => $"source:{source}";
}
