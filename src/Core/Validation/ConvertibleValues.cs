using System.Collections;
using System.ComponentModel;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace BatchOrchestrator.Core.Validation;

/// <summary>
/// Finds the values of a section that the configuration binder cannot convert to their property's type,
/// each as <c>Sources:0:SettleWindow: '3s' is not a valid TimeSpan (…)</c>. Binding throws for such a value
/// in a plain property, but inside a list or dictionary it drops the whole element without a word
/// (<c>ConfigurationBinder.BindCollection</c> catches and skips), so a mistyped field of <c>Sources:0</c>
/// would leave the service watching nothing. Each value is bound here on its own, as the binder would bind it.
/// </summary>
internal static partial class ConvertibleValues
{
    /// <summary>
    /// The failures without what a value of the wrong type causes in its element of a list: bound without that value,
    /// the element holds a default the validators may refuse (a cap of 0 credits, a second cap of the default window),
    /// which nobody wrote. Such an element is checked no further until its value is fixed, as when the binder left it out,
    /// and a failure that names it beside another element is left out with it. The value's own failure then says so: an
    /// operator who fixes the one problem listed would otherwise take the next check's new ones for problems just made.
    /// </summary>
    public static IEnumerable<string> WithoutWhatWrongTypesCause(IEnumerable<string> failures)
    {
        var all = failures.ToList();
        var elements = all.Select(ElementOfAWrongType).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        // A failure about such an element, or naming it beside another (a second cap of the same window, beside it).
        var left = elements.Count == 0 ? [] : all.Where(failure => ElementOfAWrongType(failure) is null && elements.Any(element => Names(failure, element))).ToList();
        if (left.Count == 0)
        {
            return all;
        }

        // What the value's own key says bound without it (a cap of 0 credits) is that value's failure again, not another.
        var wrongKeys = all.Select(f => WrongType().Match(f)).Where(m => m.Success).Select(m => m.Groups["path"].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var others = left.Where(f => !wrongKeys.Contains(f.Split(": ", 2)[0])).ToList();
        var noted = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return all.Except(left).Select(failure => ElementOfAWrongType(failure) is { } element && others.Any(f => Names(f, element)) && noted.Add(element)
            ? $"{failure} ({element} is checked no further until this is fixed)"
            : failure);
    }

    private static bool Names(string failure, string element) => System.Text.RegularExpressions.Regex.IsMatch(
        failure, System.Text.RegularExpressions.Regex.Escape(element) + "(?![0-9])", System.Text.RegularExpressions.RegexOptions.IgnoreCase);

    // The element (a path ending in its number) of a failure Check wrote, or null for any other failure.
    private static string? ElementOfAWrongType(string failure)
    {
        var match = WrongType().Match(failure);
        if (!match.Success)
        {
            return null;
        }

        var segments = match.Groups["path"].Value.Split(':');
        var last = Array.FindLastIndex(segments, s => s.Length > 0 && s.All(char.IsAsciiDigit));
        return last < 0 ? null : string.Join(':', segments[..(last + 1)]);
    }

    // What Check writes: the path, the value in quotes, and one of Expected's phrases.
    [System.Text.RegularExpressions.GeneratedRegex("^(?<path>[^ ]+): '.*' (must be one of |must be true or false|is not a whole number|is not a number|is not a valid )", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex WrongType();

    public static void Check(IConfiguration section, Type type, List<string> failures) =>
        failures.AddRange(Find(section, type).Select(v => $"{v.Path}: '{Shown(v.Value, v.Type)}' {(IsBareDays(v.Value, v.Type) ? BareDays(v.Value) : Expected(v.Type))}"));

    // TimeSpan reads a bare whole number as days: "120" meant as seconds would be a lease held 120 days after a crash, a
    // file held 120 days to settle, a timer too long to start. Refused, saying what to write; "0" means the same either way.
    private static bool IsBareDays(string value, Type type) =>
        (Nullable.GetUnderlyingType(type) ?? type) == typeof(TimeSpan) && value.Trim() is { Length: > 0 } v && v.All(char.IsAsciiDigit) && v.Any(c => c != '0');

    // The binder's enum converter also takes a number ("2") or names joined by commas ("Mirror,RemoteOnly"). Either may
    // name no member (a Symlinks of 2 followed links, since only Skip is tested for; a Layout of 3 behaved as PerRun yet
    // was stored as '3') or another than meant ("Skip,Follow" is Follow). Only a member's name is taken, listing the names.
    private static bool IsUndefinedEnum(IConfigurationSection leaf, Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        return target.IsEnum && !target.IsDefined(typeof(FlagsAttribute), false) && leaf.Value is { } value
            && !Enum.GetNames(target).Contains(value.Trim(), StringComparer.OrdinalIgnoreCase);
    }

    private static string BareDays(string value) =>
        $"is not a valid TimeSpan here: a bare number is read as days (write {value.Trim()}.00:00:00 if days are meant, or hh:mm:ss, e.g. 00:02:00 for two minutes)";

    // A URL that does not parse (a port mistyped, a space in the host) may still carry a password or a gateway's token
    // (LlamaCloud:BaseUrl, Webhooks:PublicUrl): quoted without them, as the validators show the URLs that do parse.
    private static string Shown(string value, Type type) =>
        (Nullable.GetUnderlyingType(type) ?? type) == typeof(Uri) ? UrlShown.WithoutSecrets(value) : value;

    /// <summary>
    /// Every value below <paramref name="section"/> that cannot be converted to the type it binds to.
    /// </summary>
    public static IEnumerable<(string Path, string Value, Type Type)> Find(IConfiguration section, Type type)
    {
        if (IsScalar(type))
        {
            if (section is IConfigurationSection { Value: { } value } leaf && (!Converts(leaf, type) || IsBareDays(value, type) || IsUndefinedEnum(leaf, type)))
            {
                yield return (leaf.Path, value, type);
            }

            yield break;
        }

        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            yield break; // nothing configured below: the defaults stand
        }

        var below = ElementType(type) is { } element
            ? children.SelectMany(child => Find(child, element))
            : type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0)
                .SelectMany(property => Find(section.GetSection(property.Name), property.PropertyType));
        foreach (var found in below)
        {
            yield return found;
        }
    }

    // The binder's own test for a value it converts rather than binds into (a string, a number, an enum, a TimeSpan, a Uri).
    internal static bool IsScalar(Type type) => TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string));

    private static bool Converts(IConfigurationSection leaf, Type type)
    {
        try
        {
            leaf.Get(type);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    internal static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        var interfaces = type.IsInterface ? type.GetInterfaces().Prepend(type) : type.GetInterfaces();
        var generic = interfaces.Where(i => i.IsGenericType).ToList();
        var dictionary = generic.FirstOrDefault(i => i.GetGenericTypeDefinition() is var d && (d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>)));
        if (dictionary is not null)
        {
            return dictionary.GetGenericArguments()[1];
        }

        return typeof(IEnumerable).IsAssignableFrom(type)
            ? generic.FirstOrDefault(i => i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0]
            : null;
    }

    private static string Expected(Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target.IsEnum)
        {
            return $"must be one of {string.Join(", ", Enum.GetNames(target))}";
        }

        return Type.GetTypeCode(target) switch
        {
            TypeCode.Boolean => "must be true or false",
            TypeCode.Byte or TypeCode.Int16 or TypeCode.Int32 or TypeCode.Int64 or TypeCode.UInt16 or TypeCode.UInt32 or TypeCode.UInt64 => "is not a whole number",
            TypeCode.Decimal or TypeCode.Double or TypeCode.Single => "is not a number",
            _ when target == typeof(TimeSpan) => "is not a valid TimeSpan (hh:mm:ss or d.hh:mm:ss, e.g. 00:00:03 for three seconds)",
            _ => $"is not a valid {target.Name}",
        };
    }
}
