using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence.Sources;

namespace BatchOrchestrator.Persistence.Planning;

internal sealed partial class NpgsqlBatchPlanStore
{
    public async Task<int> CountProcessedOutsideMirrorAsync(string source, CancellationToken cancellationToken)
    {
        // The batch's layout says where a version was sent: one a PerRun batch processed, still the file in the folder
        // now, is in no mirror batch, and a mirror takes only versions new or changed since (docs/sources.md).
        await using var command = dataSource.CreateCommand($"""
            select count(*)::int from orchestrator.file_version fv join orchestrator.batch b on b.id = fv.batch_id
            where fv.source_name = $1 and fv.state = $2 and b.layout = $3 and {InTheFolderNow.Condition}
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        command.Parameters.Add(StateParameters.Name(FileVersionState.Succeeded));
        command.Parameters.Add(StateParameters.Name(RemoteLayout.PerRun));
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
