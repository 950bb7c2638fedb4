namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// The LlamaCloud API in one project. Every call a step makes for a batch goes through the API of the
/// scope recorded on the batch (or configured for its source), so that the request carries
/// <c>project_id</c>/<c>organization_id</c> and the HTTP pipeline can key per-project strategies on it.
/// </summary>
internal interface IBatchApis
{
    IBatchApi For(ProjectScope scope);
}
