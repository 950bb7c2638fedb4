namespace BatchOrchestrator.Core.Sources;

/// <summary>What one scan found.</summary>
internal sealed record ScanSummary(int Seen, int NewOrChanged, int Vanished, int Unsettled, int Hashed, int NewVersions, int Deferred);
