namespace BatchOrchestrator.Persistence.Monitoring;

/// <summary>
/// One outcome per batch result (alias <c>br</c>): what its batch reported, or, for a job the follow-up
/// then found FAILED or CANCELLED (Core's JobVerdict), that verdict. Written with parameters from
/// <paramref name="first"/> on: Succeeded, Failed, Skipped, then the two remote job statuses.
/// </summary>
internal static class Outcomes
{
    // The product job statuses the follow-up reads as a verdict on a Succeeded file (Core's JobResults).
    private const string JobFailed = "FAILED";
    private const string JobCancelled = "CANCELLED";

    public static string Case(int first) => $"""
        case when br.outcome = ${first} and br.remote_job_status = ${first + 3} then ${first + 1}
             when br.outcome = ${first} and br.remote_job_status = ${first + 4} then ${first + 2}
             else br.outcome end
        """;

    /// <summary>Counts of an aliased outcome column <paramref name="o"/> named Done, Failed, Skipped (or as given).</summary>
    public static string Counts(string o, int first, string done = "done", string failed = "failed", string skipped = "skipped") =>
        $"count(*) filter (where {o} = ${first}) as {done}, count(*) filter (where {o} = ${first + 1}) as {failed}, count(*) filter (where {o} = ${first + 2}) as {skipped}";

    public static NpgsqlParameter[] Parameters() =>
    [
        StateParameters.Name(FileVersionState.Succeeded),
        StateParameters.Name(FileVersionState.Failed),
        StateParameters.Name(FileVersionState.Skipped),
        new NpgsqlParameter<string> { TypedValue = JobFailed },
        new NpgsqlParameter<string> { TypedValue = JobCancelled },
    ];
}
