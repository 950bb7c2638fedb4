namespace BatchOrchestrator.Persistence;

/// <summary>A query's first column read into a list: the loop each store used to write for itself.</summary>
internal static class CommandColumns
{
    public static async Task<List<T>> ReadColumnAsync<T>(this NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var values = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetFieldValue<T>(0));
        }

        return values;
    }
}
