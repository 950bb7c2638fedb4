using Microsoft.Extensions.Configuration;

namespace BatchOrchestrator.Core.Validation;

/// <summary>
/// Refuses an options section with a value its binding would have dropped (<see cref="ConvertibleValues"/>):
/// registered beside the section's own validator by <see cref="StrictBinding.BindStrictly"/>.
/// </summary>
internal sealed class ConvertibleValuesValidator<TOptions>(IConfiguration section) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = new List<string>();
        ConvertibleValues.Check(section, typeof(TOptions), failures);
        return failures.ToResult();
    }
}
