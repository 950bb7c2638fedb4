namespace BatchOrchestrator.Bench;

/// <summary>One benchmark: measures our code and a raw baseline of the same work in the same run.</summary>
internal interface IBenchmark
{
    /// <summary>The name given on the command line.</summary>
    string Name { get; }

    /// <summary>What is measured, in one line.</summary>
    string Description { get; }

    Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken);
}
