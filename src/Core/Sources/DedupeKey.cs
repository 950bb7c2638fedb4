namespace BatchOrchestrator.Core.Sources;

/// <summary>What makes a file version new ("Sources:N:DedupeKey").</summary>
public enum DedupeKey
{
    /// <summary>Its content: a renamed or copied file with known content is not processed (or paid for) again.</summary>
    ContentHash,

    /// <summary>Its content at its path: the same content under another name is processed again.</summary>
    ContentHashAndPath,
}
