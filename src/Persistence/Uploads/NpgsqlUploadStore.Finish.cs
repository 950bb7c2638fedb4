using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence.Batches;
using BatchOrchestrator.Persistence.Leases;

namespace BatchOrchestrator.Persistence.Uploads;

/// <summary>The end of a batch's uploads: on to its submission, or ended with nothing to submit.</summary>
internal sealed partial class NpgsqlUploadStore
{
    public async Task<BatchState> FinishUploadsAsync(long batchId, Lease fence, CancellationToken cancellationToken)
    {
        // A batch none of whose files could be uploaded ends here: there is nothing to submit. So does a mirror's
        // batch of no file, made only to remove the copies of deleted files: that is its whole work, not a failure.
        // A mirror's batch takes the copies its directory already held only now, and only when one of its new or changed
        // files went up: with none (each changed again, gone, or unreadable), a batch over the directory would parse and bill
        // every copy again for results already had, and a file that failed so would do it again at each of its retries.
        // The copies are those planning reserved for the batch and still in its directory: it removed the stale ones.
        await using var batch = LeaseFence.CreateBatch(dataSource, fence);
        batch.BatchCommands.Add(new($"""
            update orchestrator.file_version v
            set batch_id = b.id, run_id = b.run_id, state = $2, error_message = null, updated_at = now()
            from orchestrator.batch b
            where b.id = $1 and b.layout = $3 and b.state = any($4) and b.cancel_requested_at is null
              and {ReservedCopies.Of("b.id")}
              and v.remote_directory_id = b.remote_directory_id and v.remote_file_id is not null and v.remote_deleted_at is null
              and exists (select 1 from orchestrator.file_version s where s.batch_id = b.id and s.state = $5)
            """)
        {
            Parameters =
            {
                Id(batchId), FileVersionLifecycle.Rebatch.TargetState(), StateParameters.Name(RemoteLayout.Mirror),
                BatchLifecycle.FinishUploads.FromStates(), FileVersionLifecycle.Upload.TargetState(),
            },
        });
        batch.BatchCommands.Add(new("""
            with uploaded as (select count(*) filter (where state = $2) as n, count(*) as files from orchestrator.file_version where batch_id = $1)
            update orchestrator.batch b
            set state = case when uploaded.n > 0 then $3 else $4 end,
                file_count = uploaded.n,
                step_attempts = 0,
                last_error = case when uploaded.n > 0 or uploaded.files = 0 then null else 'no file of this batch could be uploaded' end,
                finished_at = case when uploaded.n > 0 then null else now() end,
                updated_at = now()
            from uploaded
            where b.id = $1 and b.state = any($5) and b.cancel_requested_at is null
            """)
        {
            Parameters =
            {
                Id(batchId), FileVersionLifecycle.Upload.TargetState(), BatchLifecycle.FinishUploads.TargetState(),
                BatchLifecycle.NothingUploaded.TargetState(), BatchLifecycle.FinishUploads.FromStates(),
            },
        });
        batch.BatchCommands.Add(RunCompletion.Command(batchId));
        batch.BatchCommands.Add(Costs.ChargeSettlement.ReleaseUnused(batchId));
        batch.BatchCommands.Add(new("select state from orchestrator.batch where id = $1") { Parameters = { Id(batchId) } });
        return Enum.Parse<BatchState>((string)(await LeaseFence.RunAsync(fence, () => batch.ExecuteScalarAsync(cancellationToken)))!);
    }
}
