namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// A scan refused because the folder was empty while files were known in it. An IOException, so the run
/// fails with this reason and is not retried: the next scheduled scan looks again.
/// </summary>
internal sealed class EmptyFolderException(string message) : IOException(message);
