using BatchOrchestrator.Core.Lifecycle;

namespace BatchOrchestrator.Core.Planning;

/// <summary>What the batches of one run are made of, and the source's retry rule for its failed versions.</summary>
internal sealed record BatchPlan(string Source, string JobType, string ConfigurationId, int MaxFilesPerBatch, int MaxAttempts = 3)
{
    public RetryRule Retry => new(MaxAttempts);
}
