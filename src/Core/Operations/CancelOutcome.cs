namespace BatchOrchestrator.Core.Operations;

/// <summary>What a cancel request did, in words an operator can act on.</summary>
internal enum CancelOutcome
{
    /// <summary>No such batch or run.</summary>
    NotFound,

    /// <summary>It had already ended; nothing to cancel.</summary>
    AlreadyEnded,

    /// <summary>It had not reached LlamaCloud yet and ended here.</summary>
    CancelledLocally,

    /// <summary>Its step is running; it stops before creating anything more.</summary>
    CancelRequested,

    /// <summary>LlamaCloud was asked to cancel it; finished files keep their results.</summary>
    CancelSentToApi,
}
