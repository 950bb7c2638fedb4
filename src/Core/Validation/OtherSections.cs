namespace BatchOrchestrator.Core.Validation;

/// <summary>For a validator that checks its section against another's.</summary>
internal static class OtherSections
{
    /// <summary>
    /// The other section's options, or null when they are invalid: their own validator names that, once. Read as
    /// they are, they would throw their failures as the reader's, and the reader's own would go unsaid.
    /// </summary>
    public static T? ValueIfValid<T>(this IOptions<T> options)
        where T : class
    {
        try
        {
            return options.Value;
        }
        catch (OptionsValidationException)
        {
            return null;
        }
    }
}
