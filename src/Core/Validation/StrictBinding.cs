using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Core.Validation;

/// <summary>
/// Binding that names every value of the wrong type, rather than dropping it or throwing at the first: the
/// binder throws for one in a plain property (in its own words, before any validator has run, so a second
/// mistake is found only on the next start), and in a list or dictionary it silently leaves the element out
/// (a source or a spending cap gone without a word, and every later element's number one lower in each message).
/// </summary>
internal static class StrictBinding
{
    /// <summary>
    /// Binds the options to <paramref name="section"/> as <c>Bind</c> does, without throwing for a value the binder
    /// cannot convert, and adds a validator that names each of them, so that start-up and <c>config check</c> list them
    /// beside every other problem.
    /// </summary>
    public static OptionsBuilder<TOptions> BindStrictly<TOptions>(this OptionsBuilder<TOptions> builder, IConfiguration section)
        where TOptions : class
    {
        builder.Configure(options => BindConvertible(section, options));
        // Settings are read once, at start-up (docs/configuration.md). The monitor holds what start-up validated for good,
        // since no change token is registered; IOptions would bind its own copy at its first read, from the file as it is
        // then, so an edit made since would apply, or an invalid one throw from inside an upload. One copy serves both.
        if (builder.Name == Options.DefaultName)
        {
            builder.Services.AddSingleton<IOptions<TOptions>, StartedOptions<TOptions>>();
        }

        builder.Services.AddSingleton<IValidateOptions<TOptions>>(new ConvertibleValuesValidator<TOptions>(section));
        builder.Services.AddSingleton(new BoundSection(section, typeof(TOptions))); // for UnknownSettings
        return builder;
    }

    /// <summary>
    /// The options of a section as registration needs them before the host is built (where the database lives, which
    /// console format to write): bound as <see cref="BindStrictly"/> binds them, never throwing for a value of the wrong
    /// type, which the section's validator then names when start-up validates.
    /// </summary>
    public static TOptions GetConvertible<TOptions>(this IConfiguration section)
        where TOptions : class, new()
    {
        var options = new TOptions();
        BindConvertible(section, options);
        return options;
    }

    // A value of the wrong type is left out, and its property keeps its default. In an element of a list the element
    // stays, so every element keeps the number it was configured under, and the messages name the entries as written;
    // its default may be one a validator refuses (a cap of 0 credits), for a value nobody wrote: such an element is
    // checked no further (ConvertibleValues.WithoutWhatWrongTypesCause).
    private static void BindConvertible(IConfiguration section, object options)
    {
        var unconvertible = ConvertibleValues.Find(section, options.GetType()).Select(v => v.Path).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (unconvertible.Count == 0)
        {
            section.Bind(options);
            return;
        }

        // The same section without those values: paths relative to it, so the copy binds as the section would.
        var prefix = section is IConfigurationSection { Path: var path } ? path + ConfigurationPath.KeyDelimiter : "";
        new ConfigurationBuilder()
            .AddInMemoryCollection(section.AsEnumerable(makePathsRelative: true).Where(v => !unconvertible.Contains(prefix + v.Key)))
            .Build()
            .Bind(options);
    }
}

/// <summary>
/// The options start-up validated, read when first asked for (a validator asking for another section's, to learn whether
/// it is valid, must get the failure then, not while being built), from the monitor that holds them for good; kept once
/// read, as the monitor's copy never changes, so that a read on a hot path is a field's.
/// </summary>
internal sealed class StartedOptions<TOptions>(IOptionsMonitor<TOptions> monitor) : IOptions<TOptions>
    where TOptions : class
{
    private TOptions? value;

    public TOptions Value => value ??= monitor.CurrentValue;
}
