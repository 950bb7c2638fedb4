namespace BatchOrchestrator.Core.Operations;

/// <summary>
/// What reprocessing some file versions would cost, in words for the preview (e.g. "about 1,240 credits
/// (3,100 pages at the agentic tier)"). Nothing implements it yet: cost tracking registers one; until
/// then previews say the cost is not known.
/// </summary>
internal interface IReprocessCostEstimator
{
    Task<string?> EstimateAsync(string source, IReadOnlyList<long> fileVersionIds, CancellationToken cancellationToken);
}
