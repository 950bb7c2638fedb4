namespace BatchOrchestrator.Persistence.Uploads;

/// <summary>The copies a mirror's batch takes over from its directory (<c>orchestrator.file_version</c>, aliased <c>v</c>).</summary>
internal static class ReservedCopies
{
    /// <summary>
    /// A version the batch's planning reserved (its copy already in the mirror) that is not in the batch yet: it joins the batch
    /// at the end of its uploads, once a new file went up, or when its directory is replaced; until then no removal takes it.
    /// <paramref name="batch"/> is the batch's id as the statement names it.
    /// </summary>
    public static string Of(string batch) =>
        $"(v.batch_id is distinct from {batch} and exists (select 1 from orchestrator.credit_charge c where c.batch_id = {batch} and c.file_version_id = v.id))";
}
