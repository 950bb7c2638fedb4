namespace BatchOrchestrator.Core.Pipeline;

/// <summary>Checks the "Pipeline" section.</summary>
internal sealed class PipelineOptionsValidator : IValidateOptions<PipelineOptions>
{
    public ValidateOptionsResult Validate(string? name, PipelineOptions options)
    {
        var failures = new List<string>();
        if (options.MaxFilesPerBatch is < 1 or > 1_000)
        {
            failures.Add($"Pipeline:MaxFilesPerBatch: {options.MaxFilesPerBatch} must be between 1 and 1000 (LlamaCloud's limit per batch)");
        }

        if (options.UploadConcurrency is < 1 or > 64)
        {
            failures.Add($"Pipeline:UploadConcurrency: {options.UploadConcurrency} must be between 1 and 64");
        }

        if (options.BatchesUploadingPerSource is < 1 or > 64)
        {
            failures.Add($"Pipeline:BatchesUploadingPerSource: {options.BatchesUploadingPerSource} must be between 1 and 64");
        }

        if (options.MaxStepAttempts is < 1 or > 1_000)
        {
            failures.Add($"Pipeline:MaxStepAttempts: {options.MaxStepAttempts} must be between 1 and 1000");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
