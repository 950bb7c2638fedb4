using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Core.Pipeline;

/// <summary>Checks the "Pipeline" section.</summary>
internal sealed class PipelineOptionsValidator : OptionsValidator<PipelineOptions>
{
    protected override void Check(PipelineOptions options, List<string> failures)
    {
        failures.AddUnlessBetween("Pipeline:MaxFilesPerBatch", options.MaxFilesPerBatch, 1, 1_000, "LlamaCloud's limit per batch");
        failures.AddUnlessBetween("Pipeline:UploadConcurrency", options.UploadConcurrency, 1, 64);
        failures.AddUnlessBetween("Pipeline:BatchesUploadingPerSource", options.BatchesUploadingPerSource, 1, 64);
        failures.AddUnlessBetween("Pipeline:MaxStepAttempts", options.MaxStepAttempts, 1, 1_000);
        failures.AddUnlessWithin("Pipeline:RetryRunAfter", options.RetryRunAfter, TimeSpan.Zero, TimeSpan.FromDays(7), "from 00:00:00 (off: the schedule's next run takes the files) to 7.00:00:00");
    }
}
