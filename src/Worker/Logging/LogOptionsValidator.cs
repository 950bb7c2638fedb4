using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Logging;

/// <summary>Checks the "Logs" section, and the levels of the "Serilog" section (<see cref="SerilogLevels"/>).</summary>
internal sealed class LogOptionsValidator(IConfiguration configuration) : IValidateOptions<LogOptions>
{
    public ValidateOptionsResult Validate(string? name, LogOptions options)
    {
        var failures = SerilogLevels.Failures(configuration).ToList();
        if (!Enum.IsDefined(options.Format))
        {
            failures.Add($"{LogOptions.SectionName}:Format: {options.Format} must be Auto, Text or Json");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
