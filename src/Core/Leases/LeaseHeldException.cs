namespace BatchOrchestrator.Core.Leases;

/// <summary>
/// A batch step found its batch's lease held. The holder is either at work (the retry then finds the
/// step done and returns) or gone without releasing it, say in a database outage (the retry takes over
/// once the lease has expired). Thrown so that the job is retried rather than ending as if it had run.
/// </summary>
internal sealed class LeaseHeldException(string leaseName, string step)
    : Exception($"{step}: lease {leaseName} is held by another worker (at work, or gone without releasing it); trying again later")
{
    public string LeaseName { get; } = leaseName;
}
