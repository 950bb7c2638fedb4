using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BatchOrchestrator.Core.Validation;

/// <summary>Binding that refuses, rather than drops, a list or dictionary element holding a value of the wrong type.</summary>
internal static class StrictBinding
{
    /// <summary>
    /// Binds the options to <paramref name="section"/> as <c>Bind</c> does, and adds a validator that names every value
    /// the binder could not convert: in a plain property binding throws for it already, in a list or dictionary it
    /// silently leaves the element out (a source or a spending cap gone without a word).
    /// </summary>
    public static OptionsBuilder<TOptions> BindStrictly<TOptions>(this OptionsBuilder<TOptions> builder, IConfiguration section)
        where TOptions : class
    {
        builder.Bind(section);
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(new ConvertibleValuesValidator<TOptions>(section));
        return builder;
    }
}
