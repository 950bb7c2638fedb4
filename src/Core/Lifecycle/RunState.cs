namespace BatchOrchestrator.Core.Lifecycle;

/// <summary>A run's life; the moves between these are <see cref="RunLifecycle"/>'s. Stored by name; renaming a member is a migration.</summary>
internal enum RunState
{
    /// <summary>Enumerating and hashing.</summary>
    Scanning,

    /// <summary>Its batches are uploading, processing or being recorded.</summary>
    Active,

    /// <summary>Every batch ended and its results are recorded.</summary>
    Completed,

    /// <summary>The scan found nothing new.</summary>
    NoChanges,

    /// <summary>The scan itself failed (the folder is missing, say).</summary>
    Failed,
}
