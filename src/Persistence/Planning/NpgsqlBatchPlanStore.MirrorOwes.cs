using BatchOrchestrator.Core.Retries;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence.Sources;

namespace BatchOrchestrator.Persistence.Planning;

internal sealed partial class NpgsqlBatchPlanStore
{
    /// <summary>
    /// The source's ($1) latest batch of the Mirror layout ($2) that made a remote directory, after a select list: the
    /// mirror's directory is that batch's. Planning, what the next batch owes and the plan preview all find it so.
    /// </summary>
    internal const string LatestMirrorBatch =
        "from orchestrator.batch where source_name = $1 and layout = $2 and remote_directory_id is not null order by id desc limit 1";

    /// <summary>
    /// Whether the mirror's next batch owes anything, as its planning would tell: a version to send (one failed that the
    /// retry rule takes back too), or a mirrored one whose file is gone or replaced. Only then does a run finding the
    /// previous batch open ask for a later one.
    /// </summary>
    private static NpgsqlBatchCommand MirrorOwes(string source, int maxAttempts) => new($"""
        select exists (select 1 from orchestrator.file_version where source_name = $1 and state = any($3) and batch_id is null)
            or exists (select 1 from orchestrator.file_version
                       where source_name = $1 and state = $4 and error_class = any($5) and process_attempts < $6)
            or exists (
                select 1 from orchestrator.file_version v
                where v.source_name = $1 and v.remote_file_id is not null and v.remote_deleted_at is null
                  and v.remote_directory_id = (select remote_directory_id {LatestMirrorBatch})
                  and not exists (
                      select 1 from orchestrator.source_file f
                      where f.source_name = v.source_name and f.relative_path = v.relative_path and f.deleted_at is null
                        and (f.sha256 = v.sha256 or {MirroredLooks.Settling("$7")})))
        """)
    {
        Parameters =
        {
            Text(source), StateParameters.Name(RemoteLayout.Mirror), FileVersionLifecycle.Plan.FromStates(), StateParameters.Name(FileVersionState.Failed),
            StateParameters.Names(RetryRule.RetriedClasses), new NpgsqlParameter<int> { TypedValue = maxAttempts }, MirroredLooks.FolderKinds(),
        },
    };

    /// <summary>
    /// The lowest batch whose files failed Unconfirmed with their copies in the mirror's directory, if any: of files in the
    /// folder now, the ones 'retry --unconfirmed' sends (a file deleted or changed since has its copy removed or replaced
    /// by the next batch, which so parses none of what the other may still bill; counted, no retry could clear the mirror).
    /// </summary>
    private static NpgsqlBatchCommand MirrorUnconfirmed(string source) => new($"""
        select min(fv.batch_id) from orchestrator.file_version fv
        where fv.source_name = $1 and fv.state = $3 and fv.error_class = $4 and {InTheFolderNow.Condition}
          and fv.remote_directory_id = (select remote_directory_id {LatestMirrorBatch})
        """)
    {
        Parameters = { Text(source), StateParameters.Name(RemoteLayout.Mirror), StateParameters.Name(FileVersionState.Failed), StateParameters.Name(FailureClass.Unconfirmed) },
    };
}
