namespace BatchOrchestrator.Sandbox.Batches;

/// <summary>One directory file as it was when the batch was created (docs/llamacloud-api.md §10: snapshot at create).</summary>
internal sealed record BatchFile(string DirectoryFileId, string DisplayName, StoredContent Content);
