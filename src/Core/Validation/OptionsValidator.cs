namespace BatchOrchestrator.Core.Validation;

/// <summary>
/// An options validator that names every key at fault: <see cref="Check"/> adds one failure per bad key, and
/// they are reported together, so a start-up refused for its configuration lists all there is to fix.
/// </summary>
internal abstract class OptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = new List<string>();
        Check(options, failures);
        return failures.ToResult();
    }

    protected abstract void Check(TOptions options, List<string> failures);
}
