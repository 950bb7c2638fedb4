using BatchOrchestrator.TestSupport;

namespace BatchOrchestrator.Bench;

/// <summary>What benchmarks share: a real PostgreSQL (as the tests get one), a scratch folder, and the scale asked for.</summary>
internal sealed class BenchContext(PostgresServerFixture postgres, string scratch, double scale) : IAsyncDisposable
{
    public PostgresServerFixture Postgres { get; } = postgres;

    /// <summary>A folder deleted when the run ends.</summary>
    public string Scratch { get; } = scratch;

    /// <summary>1 for the documented sizes; smaller for a quick look (<c>--scale 0.1</c>).</summary>
    public double Scale { get; } = scale;

    public int Scaled(int count) => Math.Max(1, (int)(count * Scale));

    public async ValueTask DisposeAsync()
    {
        await Postgres.DisposeAsync();
        Directory.Delete(Scratch, recursive: true);
    }
}
