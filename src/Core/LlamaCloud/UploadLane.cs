namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// Whose upload a request is, for sharing the project's upload pace: each source is a lane, and a lane with
/// uploads waiting gets turns in proportion to its <paramref name="Weight"/> (the source's <c>Priority</c>).
/// </summary>
internal sealed record UploadLane(string Name, int Weight)
{
    /// <summary>Uploads nobody named (tools, tests): one lane of weight 1.</summary>
    public static readonly UploadLane Default = new("", 1);
}
