namespace BatchOrchestrator.Core.Sources;

/// <summary>What a legacy v1 batch-processing job covers (docs/llamacloud-api.md §3.2: either <c>directory_id</c> or <c>item_ids</c>).</summary>
public enum V1Scope
{
    /// <summary>The batch's remote directory (<c>directory_id</c>).</summary>
    Directory,

    /// <summary>The batch's uploaded files, by id (<c>item_ids</c>).</summary>
    Items,
}
