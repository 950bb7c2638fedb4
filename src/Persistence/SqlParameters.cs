using NpgsqlTypes;

namespace BatchOrchestrator.Persistence;

/// <summary>
/// Typed parameters the stores and queries share (global in this project): a generic parameter carries its value
/// unboxed, and a value that may be null says its type, as a null alone cannot.
/// </summary>
internal static class SqlParameters
{
    public static NpgsqlParameter<long> Id(long id) => new() { TypedValue = id };

    public static NpgsqlParameter<string?> Text(string? value) => new() { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Text };

    public static NpgsqlParameter Long(long? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint };

    public static NpgsqlParameter<int> Int(int value) => new() { TypedValue = value };

    public static NpgsqlParameter<bool> Bool(bool value) => new() { TypedValue = value };

    public static NpgsqlParameter<string[]> TextArray(IEnumerable<string> values) => new() { TypedValue = [.. values] };

    /// <summary>A text array, or null for "any".</summary>
    public static NpgsqlParameter OptionalArray(IEnumerable<string>? values) =>
        new() { Value = values is null ? DBNull.Value : values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    public static NpgsqlParameter<DateTimeOffset> Timestamp(DateTimeOffset value) => new() { TypedValue = value };

    /// <summary>A span, sent as an interval however the statement uses it.</summary>
    public static NpgsqlParameter<TimeSpan> Interval(TimeSpan value) => new() { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Interval };
}
