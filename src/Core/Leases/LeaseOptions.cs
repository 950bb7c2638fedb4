namespace BatchOrchestrator.Core.Leases;

/// <summary>Lease timing ("Leases" section).</summary>
public sealed class LeaseOptions
{
    /// <summary>
    /// How long a lease outlives its holder's last renewal. A crashed holder blocks others this long;
    /// a live holder renews every third of it.
    /// </summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromMinutes(2);
}
