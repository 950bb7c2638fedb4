namespace BatchOrchestrator.Core.Lifecycle;

/// <summary>
/// What became of the files a batch sent back by the retry rule, as counted by the statements that moved them (not
/// guessed from their class): <paramref name="Queued"/> went back to the queue for a later run, <paramref name="UsedUp"/>
/// failed for good, this attempt being the last their source's MaxAttempts allows.
/// </summary>
internal readonly record struct SentBack(int Queued, int UsedUp);
