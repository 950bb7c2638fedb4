namespace BatchOrchestrator.Sandbox.State;

/// <summary>
/// A resource that lives in one project and is seen only from there. <see cref="Sequence"/> is the
/// state's creation counter: lists order and page by it, and the processing loop visits in its order.
/// </summary>
internal abstract class ProjectResource
{
    public required long Sequence { get; init; }

    public required string Id { get; init; }

    public required string ProjectId { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}
