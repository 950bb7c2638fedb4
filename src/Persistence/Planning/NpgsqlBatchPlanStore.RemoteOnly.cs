using BatchOrchestrator.Core.Planning;
using BatchOrchestrator.Core.Retries;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence.Batches;

namespace BatchOrchestrator.Persistence.Planning;

/// <summary>Batch planning for the RemoteOnly layout: the remote directory as it is, unless its latest batch completed over the same files, or was cancelled over them by an operator.</summary>
internal sealed partial class NpgsqlBatchPlanStore
{
    public async Task<RemoteOnlyPlan> PlanRemoteOnlyBatchAsync(long runId, BatchPlan plan, string remoteDirectoryId, RemoteListing listing, CancellationToken cancellationToken)
    {
        // Under the source's lease, so nothing plans this source between the look and the insert. The latest batch is
        // the one to compare with: an older one completed over the same listing says nothing once a later one failed.
        // A file LlamaCloud refused for good (an unsupported type, a corrupt file) fails the same way each time: sending
        // the directory again for it would bill every other file again, so only a file that may yet succeed counts.
        await using (var look = dataSource.CreateCommand($"""
            select exists (select 1 from orchestrator.batch where source_name = $1 and layout = $2 and state <> all($3)),
                   (select l.id from orchestrator.batch l
                    where l.id = (select max(id) from orchestrator.batch where source_name = $1 and layout = $2)
                      and l.remote_directory_id = $4 and l.remote_listing = $5 and l.file_count = $6
                      and l.remote_status = $7 and l.configuration_fingerprint = $8
                      and (select count(*) from orchestrator.batch_result r where r.batch_id = l.id) = l.file_count
                      and not exists (select 1 from orchestrator.batch_result r
                                      where r.batch_id = l.id and (r.job_id is null or r.error_message is not null)
                                        and r.error_class is distinct from $9)),
                   (select min(id) from orchestrator.batch where source_name = $1 and layout = $2 and remote_directory_id = $4 and unconfirmed_since is not null),
                   -- An operator here cancelled the latest batch over these same files, and it ended cancelled (at LlamaCloud,
                   -- or before it was created there): as a cancelled batch's files are skipped as the operator wished, the
                   -- directory is not sent again (its parsed files billed again) until it changes. A cancel that came too late
                   -- leaves the batch as it ended: one that failed is sent again as any other.
                   (select l.id from orchestrator.batch l
                    where l.id = (select max(id) from orchestrator.batch where source_name = $1 and layout = $2)
                      and l.remote_directory_id = $4 and l.remote_listing = $5 and l.file_count = $6
                      and l.configuration_fingerprint = $8 and {CancelledHere.Condition("l", "$10")})
            """))
        {
            look.Parameters.Add(Text(plan.Source));
            look.Parameters.Add(StateParameters.Name(RemoteLayout.RemoteOnly));
            look.Parameters.Add(StateParameters.Names(BatchLifecycle.Ended));
            look.Parameters.Add(Text(remoteDirectoryId));
            look.Parameters.Add(Text(listing.Digest));
            look.Parameters.Add(new NpgsqlParameter<int> { TypedValue = listing.Files });
            look.Parameters.Add(StateParameters.Name(BatchState.Completed));
            look.Parameters.Add(Text(ConfigurationFingerprint.Of(plan.JobType, plan.ConfigurationId, plan.V1ParseTier)));
            look.Parameters.Add(StateParameters.Name(FailureClass.Permanent));
            look.Parameters.Add(StateParameters.Name(BatchState.Cancelled));
            await using var reader = await look.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            if (!reader.IsDBNull(2))
            {
                // Every batch over the directory parses (and bills) every file in it: while one an earlier submit may have
                // created still runs there, a new one would pay for them all twice. Nothing is planned until it is looked for.
                var unconfirmed = reader.GetInt64(2);
                throw new RunRefusedException(
                    $"batch {unconfirmed} of '{plan.Source}' may have been created at LlamaCloud (its submit step could not check), "
                    + $"and a new batch over directory {remoteDirectoryId} would parse and bill its files again: look for that batch there, then retry {plan.Source} --failed --unconfirmed {unconfirmed}");
            }

            if (reader.GetBoolean(0))
            {
                return new(null, RemoteOnlySkip.InFlight);
            }

            if (!reader.IsDBNull(1))
            {
                return new(null, RemoteOnlySkip.Unchanged, reader.GetInt64(1));
            }

            if (!reader.IsDBNull(3))
            {
                return new(null, RemoteOnlySkip.Cancelled, reader.GetInt64(3));
            }
        }

        if (listing.Files == 0)
        {
            return new(null, RemoteOnlySkip.Empty);
        }

        // No files of ours: the batch is born Creating over the given directory and goes straight to submit.
        await using var command = dataSource.CreateCommand("""
            insert into orchestrator.batch
                (run_id, source_name, state, job_type, configuration_id, directory_name, remote_directory_id, file_count, layout,
                 project_id, organization_id, v1_parse_tier, remote_listing, v1_scope)
            values ($1, $2, $6, $3, $4, $5, $5, $7, $8, $9, $10, $11, $12, $13)
            returning id
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = runId });
        command.Parameters.Add(Text(plan.Source));
        command.Parameters.Add(Text(plan.JobType));
        command.Parameters.Add(Text(plan.ConfigurationId));
        command.Parameters.Add(Text(remoteDirectoryId));
        command.Parameters.Add(BatchLifecycle.PlanRemoteOnly.TargetState());
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = listing.Files });
        command.Parameters.Add(StateParameters.Name(RemoteLayout.RemoteOnly));
        command.Parameters.Add(ScopeColumns.Project(plan.Scope));
        command.Parameters.Add(ScopeColumns.Organization(plan.Scope));
        command.Parameters.Add(V1ParseTier(plan));
        command.Parameters.Add(Text(listing.Digest));
        command.Parameters.Add(V1Scope(plan));
        return new((long)(await command.ExecuteScalarAsync(cancellationToken))!);
    }
}
