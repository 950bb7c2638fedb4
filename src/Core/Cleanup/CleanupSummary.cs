namespace BatchOrchestrator.Core.Cleanup;

/// <summary>What one cleanup run did.</summary>
internal sealed class CleanupSummary
{
    public int Deleted { get; private set; }

    /// <summary>Found already gone (404): done all the same.</summary>
    public int Gone { get; private set; }

    /// <summary>Refused or unanswered: on the list again, later.</summary>
    public int Failed { get; private set; }

    public int Attempts => Deleted + Gone + Failed;

    public void Count(ArtefactOutcome outcome)
    {
        if (!outcome.Attempted)
        {
            return;
        }

        if (!outcome.Done)
        {
            Failed++;
        }
        else if (outcome.FoundGone)
        {
            Gone++;
        }
        else
        {
            Deleted++;
        }
    }
}
