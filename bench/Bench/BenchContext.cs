using BatchOrchestrator.TestSupport;

namespace BatchOrchestrator.Bench;

/// <summary>What benchmarks share: a real PostgreSQL (as the tests get one), a scratch folder, and the scale asked for.</summary>
internal sealed class BenchContext(PostgresServerFixture postgres, string scratch, double scale, IReadOnlyDictionary<string, string> options) : IAsyncDisposable
{
    public PostgresServerFixture Postgres { get; } = postgres;

    /// <summary>A folder deleted when the run ends.</summary>
    public string Scratch { get; } = scratch;

    /// <summary>1 for the documented sizes; smaller for a quick look (<c>--scale 0.1</c>).</summary>
    public double Scale { get; } = scale;

    public int Scaled(int count) => Math.Max(1, (int)(count * Scale));

    /// <summary>A named option from the command line (<c>--minutes 2</c>), or null.</summary>
    public string? Option(string name) => options.TryGetValue(name, out var value) ? value : null;

    public double Option(string name, double fallback) =>
        Option(name) is { } value ? double.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    public async ValueTask DisposeAsync()
    {
        await Postgres.DisposeAsync();
        Directory.Delete(Scratch, recursive: true);
    }
}
