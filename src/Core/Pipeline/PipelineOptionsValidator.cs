using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Core.Pipeline;

/// <summary>Checks the "Pipeline" section.</summary>
internal sealed class PipelineOptionsValidator : IValidateOptions<PipelineOptions>
{
    public ValidateOptionsResult Validate(string? name, PipelineOptions options)
    {
        var failures = new List<string>();
        failures.AddUnlessBetween("Pipeline:MaxFilesPerBatch", options.MaxFilesPerBatch, 1, 1_000, "LlamaCloud's limit per batch");
        failures.AddUnlessBetween("Pipeline:UploadConcurrency", options.UploadConcurrency, 1, 64);
        failures.AddUnlessBetween("Pipeline:BatchesUploadingPerSource", options.BatchesUploadingPerSource, 1, 64);
        failures.AddUnlessBetween("Pipeline:MaxStepAttempts", options.MaxStepAttempts, 1, 1_000);

        return failures.ToResult();
    }
}
