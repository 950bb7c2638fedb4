using System.Data.Common;
using Hangfire.Common;
using Hangfire.States;

namespace BatchOrchestrator.Worker.Jobs;

/// <summary>
/// A job that failed because the database was unreachable (a transient <see cref="DbException"/>: refused
/// or dropped connections, a server shutting down or terminating our backend) is retried in
/// <see cref="Delay"/>, without using up one of its <c>AutomaticRetry</c> attempts. Left to those, a step
/// failing a few times around an outage climbs their growing delays (minutes, then an hour for the submit
/// step) and resumes long after the database is back; the service must resume within about a minute of it
/// (docs/reliability.md §1.1, item 8; docs/resilience.md). Bounded: after <see cref="MaxOutageRetries"/>
/// such retries of one job, the failure goes to <c>AutomaticRetry</c> as any other.
/// Registered on the server, so it runs before the jobs' own <c>AutomaticRetry</c> attributes.
/// </summary>
internal sealed class DatabaseOutageRetryFilter : JobFilterAttribute, IElectStateFilter
{
    public static readonly TimeSpan Delay = TimeSpan.FromSeconds(10);

    /// <summary>Half an hour of retries every <see cref="Delay"/>: an outage longer than that is a person's matter.</summary>
    public const int MaxOutageRetries = 180;

    private const string Counter = "DatabaseOutageRetries";

    public void OnStateElection(ElectStateContext context)
    {
        if (context.CandidateState is not FailedState failed)
        {
            return;
        }

        var retries = context.GetJobParameter<int>(Counter, allowStale: true);
        if (RetryIn(failed.Exception, retries) is not { } delay)
        {
            return;
        }

        context.SetJobParameter(Counter, retries + 1);
        context.CandidateState = new ScheduledState(delay)
        {
            Reason = $"The database was unreachable ({failed.Exception.GetType().Name}); retrying in {delay.TotalSeconds:0} s without using up an attempt",
        };
    }

    /// <summary>When to run again after <paramref name="failure"/>, or null to leave it to the job's own retry rule.</summary>
    public static TimeSpan? RetryIn(Exception failure, int outageRetriesSoFar) =>
        outageRetriesSoFar < MaxOutageRetries && IsDatabaseOutage(failure) ? Delay : null;

    /// <summary>A transient database failure anywhere in the chain of <paramref name="failure"/>: the server refused, dropped or ended our connection.</summary>
    public static bool IsDatabaseOutage(Exception failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            if (e is DbException { IsTransient: true })
            {
                return true;
            }
        }

        return false;
    }
}
