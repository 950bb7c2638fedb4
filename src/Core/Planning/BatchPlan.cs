using BatchOrchestrator.Core.Lifecycle;

namespace BatchOrchestrator.Core.Planning;

/// <summary>
/// What the batches of one run are made of, the source's retry rule for its failed versions, and the
/// LlamaCloud project the batches are created in (recorded on each batch), and what the run may spend
/// (<see cref="Cost"/>: tiers and caps; none means free and uncapped). <see cref="V1ParseTier"/> is the tier a
/// v1_parse source asks for (null: none, the service's default); each batch records it, is sent at it, and is
/// fingerprinted by it, as a v2 batch is by its configuration id. <see cref="V1Scope"/> is what a v1 source's batches are
/// created over; each batch records it, so that the steps after its create read it as it was made.
/// </summary>
internal sealed record BatchPlan(
    string Source, string JobType, string ConfigurationId, int MaxFilesPerBatch, int MaxAttempts = 3, LlamaCloud.ProjectScope Scope = default, CostPlan? Cost = null,
    string? V1ParseTier = null, Sources.V1Scope? V1Scope = null)
{
    public RetryRule Retry => new(MaxAttempts);

    public CostPlan Costs => Cost ?? CostPlan.Free(ConfigurationId);
}
