using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Logging;

/// <summary>Checks the "Logs" section.</summary>
internal sealed class LogOptionsValidator : IValidateOptions<LogOptions>
{
    public ValidateOptionsResult Validate(string? name, LogOptions options) =>
        Enum.IsDefined(options.Format)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{LogOptions.SectionName}:Format: {options.Format} must be Auto, Text or Json");
}
