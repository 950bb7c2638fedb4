namespace BatchOrchestrator.Persistence.Batches;

/// <summary>The statement that closes a run once none of its batches is still open; run after any batch reaches its end.</summary>
internal static class RunCompletion
{
    public static NpgsqlBatchCommand Command(long batchId) => new("""
        update orchestrator.run r set state = $2, finished_at = now()
        where r.id = (select run_id from orchestrator.batch where id = $1)
          and r.state = any($3)
          and not exists (select 1 from orchestrator.batch b where b.run_id = r.id and b.state <> all($4))
        """)
    {
        Parameters =
        {
            new NpgsqlParameter<long> { TypedValue = batchId },
            RunLifecycle.Complete.TargetState(),
            RunLifecycle.Complete.FromStates(),
            StateParameters.Names(BatchLifecycle.Ended),
        },
    };
}
