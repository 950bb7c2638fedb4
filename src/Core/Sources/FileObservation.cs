namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// One look at one file: its path relative to the source root ('/' separators), size and mtime
/// (UTC ticks, exact, so equality means "unchanged").
/// </summary>
internal readonly record struct FileObservation(string RelativePath, long Size, long MtimeTicks);
