namespace BatchOrchestrator.Persistence.Monitoring;

/// <summary>
/// A read-only result for the operator's pages and the command line: column names are the SQL
/// aliases, so a column added to a query shows up on its page and in <c>status</c> with no other change.
/// </summary>
internal sealed class OpsTable(IReadOnlyList<string> columns, IReadOnlyList<object?[]> rows)
{
    public IReadOnlyList<string> Columns { get; } = columns;

    public IReadOnlyList<object?[]> Rows { get; } = rows;

    public int IndexOf(string column)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i], column, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    public object? Value(object?[] row, string column) => IndexOf(column) is var i and >= 0 ? row[i] : null;

    /// <summary>A copy with the first <paramref name="count"/> rows only.</summary>
    public OpsTable Take(int count) => Rows.Count <= count ? this : new OpsTable(Columns, [.. Rows.Take(count)]);

    /// <summary>A copy with one more column, computed per row (values that do not come from our tables, such as a schedule's next run).</summary>
    public OpsTable With(string column, Func<object?[], object?> value, int? position = null)
    {
        var at = Math.Clamp(position ?? Columns.Count, 0, Columns.Count);
        var columns = Columns.ToList();
        columns.Insert(at, column);
        return new OpsTable(columns, [.. Rows.Select(row =>
        {
            var copy = row.ToList();
            copy.Insert(at, value(row));
            return copy.ToArray();
        })]);
    }

    /// <summary>
    /// A copy without those of <paramref name="optional"/> whose every value is null or zero: columns for
    /// data that may not exist yet (held files before any cap is set) stay off the page until it does.
    /// </summary>
    public OpsTable WithoutEmpty(IReadOnlySet<string> optional)
    {
        var keep = Enumerable.Range(0, Columns.Count)
            .Where(i => !optional.Contains(Columns[i]) || Rows.Any(row => row[i] is not (null or 0L or 0 or 0.0 or 0m)))
            .ToArray();
        return keep.Length == Columns.Count ? this : new OpsTable([.. keep.Select(i => Columns[i])], [.. Rows.Select(row => keep.Select(i => row[i]).ToArray())]);
    }
}
