namespace BatchOrchestrator.Core.Batches;

/// <summary>What a step needs to tell the copies of a directory of ours that no version holds (<see cref="StrayCopies"/>).</summary>
internal interface IDirectoryCopyStore
{
    /// <summary>
    /// Checks the fence alone, in one round trip, and writes nothing: <see cref="Leases.LeaseLostException"/> if the lease no longer
    /// carries its token. Made before a remote change no fenced write comes ahead of, such as taking back a copy found by
    /// unique_id, which the holder that took the lease over may have sent and recorded (docs/reliability.md, "Fencing").
    /// </summary>
    Task HoldLeaseAsync(Leases.Lease fence, CancellationToken cancellationToken);

    /// <summary>The copies in a directory of the source's that a version of it holds: their directory file ids and the stored files behind them.</summary>
    Task<HeldCopies> GetHeldCopiesAsync(string source, string directoryId, CancellationToken cancellationToken);
}

/// <summary>Directory file ids (<c>dfl-…</c>) and stored file ids (<c>file_id</c>) that versions of ours hold.</summary>
internal sealed record HeldCopies(IReadOnlySet<string> DirectoryFileIds, IReadOnlySet<string> StoredFileIds);
