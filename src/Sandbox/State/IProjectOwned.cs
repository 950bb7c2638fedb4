namespace BatchOrchestrator.Sandbox.State;

/// <summary>A resource that lives in one project and is seen only from there.</summary>
internal interface IProjectOwned
{
    string Id { get; }

    string ProjectId { get; }
}
