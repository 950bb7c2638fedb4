namespace BatchOrchestrator.Core.Webhooks;

/// <summary>What the receiver answers a delivery.</summary>
internal enum WebhookVerdict
{
    /// <summary>Signed correctly; acted on or deliberately ignored (an event for nothing of ours).</summary>
    Accepted,

    /// <summary>No signature, or a wrong one: 401.</summary>
    Unauthorized,

    /// <summary>Signed correctly but not a readable event: 400.</summary>
    Unreadable,
}
