namespace BatchOrchestrator.Persistence.Planning;

/// <summary>
/// The clock the caps' windows begin by: the database's, which stamps the reservations (<c>credit_charge.reserved_at</c>
/// defaults to <c>now()</c>). Planning, the plan preview and the headroom gauge all read it, so that a window holds what its
/// cap checked and each shows the room planning will find, whatever this instance's clock says (docs/costs.md, "Caps").
/// </summary>
internal static class DatabaseClock
{
    /// <summary>The database's <c>now()</c>: in a transaction, the time its writes are stamped with.</summary>
    public static async Task<DateTimeOffset> NowAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select now()", connection, transaction);
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime now
            ? new DateTimeOffset(DateTime.SpecifyKind(now, DateTimeKind.Utc))
            : throw new InvalidOperationException("the database did not tell its time");
    }
}
