namespace BatchOrchestrator.Core.FollowUp;

/// <summary>Jobs' statuses read ahead of the looks, many at a time; a job missing from the answer is read by itself.</summary>
internal interface IJobStatuses
{
    Task<IReadOnlyDictionary<string, JobStatus>> ReadAsync(FollowUpWork work, IReadOnlyList<FollowUpItem> items, CancellationToken cancellationToken);
}

/// <summary>A job's status (as the API spells it) and its error message, if it has one.</summary>
internal sealed record JobStatus(string Status, string? ErrorMessage);
