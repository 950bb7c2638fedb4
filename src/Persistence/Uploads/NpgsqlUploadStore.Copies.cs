using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Persistence.Leases;

namespace BatchOrchestrator.Persistence.Uploads;

/// <summary>What the steps read to tell a directory's stray copies (<see cref="IDirectoryCopyStore"/>): the upload step's and the submit step's.</summary>
internal sealed partial class NpgsqlUploadStore : IDirectoryCopyStore
{
    public async Task HoldLeaseAsync(Lease fence, CancellationToken cancellationToken)
    {
        await using var batch = LeaseFence.CreateBatch(dataSource, fence);
        await LeaseFence.RunAsync(fence, () => batch.ExecuteNonQueryAsync(cancellationToken));
    }

    public async Task<HeldCopies> GetHeldCopiesAsync(string source, string directoryId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select remote_file_id, stored_file_id from orchestrator.file_version
            where source_name = $1 and remote_directory_id = $2 and remote_file_id is not null and remote_deleted_at is null
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = directoryId });
        var (copies, stored) = (new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            copies.Add(reader.GetString(0));
            if (!reader.IsDBNull(1))
            {
                stored.Add(reader.GetString(1));
            }
        }

        return new HeldCopies(copies, stored);
    }
}
