using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>Checks the "Verb" section (written by <see cref="BatchCommandLine"/>, or set by hand as configuration).</summary>
internal sealed class VerbOptionsValidator : IValidateOptions<VerbOptions>
{
    private static readonly string[] Known = [Verbs.Run, Verbs.Scan, Verbs.Status, Verbs.Retry, Verbs.Reprocess, Verbs.CancelRun, Verbs.CancelBatch, Verbs.CancelJobs, Verbs.Migrate, Verbs.ConfigCheck, Verbs.Plan, Verbs.Costs, Verbs.Approve, Verbs.RenameSource];

    public ValidateOptionsResult Validate(string? name, VerbOptions options) =>
        string.IsNullOrEmpty(options.Name) || Known.Contains(options.Name, StringComparer.Ordinal)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{VerbOptions.SectionName}:Name: '{options.Name}' is not a verb ({string.Join(", ", Known)})");
}
