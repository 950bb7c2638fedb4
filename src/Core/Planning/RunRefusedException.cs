namespace BatchOrchestrator.Core.Planning;

/// <summary>A run cannot go ahead as the source is configured (a mirror larger than a batch, say); retrying will not help.</summary>
internal sealed class RunRefusedException(string message) : Exception(message);
