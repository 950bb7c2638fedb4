namespace BatchOrchestrator.Persistence.Batches;

/// <summary>The statement that closes a run once none of its batches is still open; run after any batch reaches its end.</summary>
internal static class RunCompletion
{
    public const string Sql = """
        update orchestrator.run r set state = 'Completed', finished_at = now()
        where r.id = (select run_id from orchestrator.batch where id = $1)
          and r.state = 'Active'
          and not exists (select 1 from orchestrator.batch b where b.run_id = r.id and b.state <> 'ResultsRecorded')
        """;
}
