namespace BatchOrchestrator.Sandbox.State;

/// <summary>Uploaded bytes with the name they arrived under; immutable, so jobs can keep a snapshot.</summary>
internal sealed record StoredContent(string FileName, string? ContentType, byte[] Bytes)
{
    /// <summary>Lower-case extension with its dot, e.g. ".pdf"; empty when the name has none.</summary>
    public string Extension => Path.GetExtension(FileName).ToLowerInvariant();
}
