using BatchOrchestrator.Core.Lifecycle;

namespace BatchOrchestrator.Persistence.Runs;

/// <summary>
/// How a run that leaves Scanning without finishing its scan ends (a dead process's, found by the source's next run or the
/// watchdog; one whose scan failed): failed when its planning committed no batch, Active while one it did commit is open,
/// completed when all have ended.
/// </summary>
internal static class InterruptedRunEnd
{
    /// <summary>The SET clause for the run aliased <paramref name="run"/>, reading the four parameters from <paramref name="first"/> on.</summary>
    public static string Set(string run, int first) => $"""
        state = case when not {AnyBatch(run)} then ${first} when {OpenBatch(run, first + 3)} then ${first + 1} else ${first + 2} end,
        finished_at = case when {OpenBatch(run, first + 3)} then null else now() end
        """;

    /// <summary>Whether the run aliased <paramref name="run"/> planned a batch.</summary>
    public static string AnyBatch(string run) => $"exists (select 1 from orchestrator.batch b where b.run_id = {run}.id)";

    /// <summary>Whether a batch of the run aliased <paramref name="run"/> has not ended (the ended states in parameter <paramref name="ended"/>).</summary>
    public static string OpenBatch(string run, int ended) => $"exists (select 1 from orchestrator.batch b where b.run_id = {run}.id and b.state <> all(${ended}))";

    /// <summary>
    /// Locks (FOR SHARE) the batches of the runs <paramref name="runs"/> selects (a WHERE clause on <c>orchestrator.run r</c>),
    /// to run in the same transaction before a statement that asks whether they have all ended. A batch ending meanwhile then
    /// either commits first, and that statement (read committed: a snapshot of its own) sees it ended, or waits until the run's
    /// new state is committed, and its own completion (<see cref="Batches.RunCompletion"/>) finds the run Active. Without it
    /// each could read the other's row as it was, the run be left Active, and nothing ever complete it.
    /// </summary>
    public static NpgsqlBatchCommand LockBatches(string runs, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand($"select 1 from orchestrator.batch b where b.run_id in (select r.id from orchestrator.run r {runs}) for share of b");
        command.Parameters.AddRange(parameters);
        return command;
    }

    /// <summary>The four parameters <see cref="Set"/> reads, in its order.</summary>
    public static NpgsqlParameter[] Parameters() =>
    [
        RunLifecycle.Fail.TargetState(),
        RunLifecycle.InterruptAfterPlanning.TargetState(),
        RunLifecycle.FinishScanAfterItsBatches.TargetState(),
        StateParameters.Names(BatchLifecycle.Ended),
    ];
}
