namespace BatchOrchestrator.Core.Lifecycle;

/// <summary>
/// A job reference's follow-up (docs/architecture.md, States); the moves between these are
/// <see cref="FollowUpLifecycle"/>'s. Stored by name in <c>batch_result.follow_up_state</c>.
/// </summary>
internal enum FollowUpState
{
    /// <summary>Recorded; its result not fetched yet (the job may still run).</summary>
    Recorded,

    /// <summary>Its result is in every sink.</summary>
    FollowedUp,

    /// <summary>No result will come: the job failed or was cancelled, the result is gone, or attempts ran out.</summary>
    FollowUpFailed,
}
