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
internal static class ConvertibleValues
{
    public static void Check(IConfiguration section, Type type, List<string> failures) =>
        failures.AddRange(Find(section, type).Select(v => $"{v.Path}: '{v.Value}' {Expected(v.Type)}"));

    /// <summary>
    /// Every value below <paramref name="section"/> that cannot be converted to the type it binds to; <c>InElement</c>
    /// when it lies in an element of a list or dictionary, which the binder leaves out whole rather than throw.
    /// </summary>
    public static IEnumerable<(string Path, string Value, Type Type, bool InElement)> Find(IConfiguration section, Type type, bool inElement = false)
    {
        if (IsScalar(type))
        {
            if (section is IConfigurationSection { Value: { } value } leaf && !Converts(leaf, type))
            {
                yield return (leaf.Path, value, type, inElement);
            }

            yield break;
        }

        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            yield break; // nothing configured below: the defaults stand
        }

        var below = ElementType(type) is { } element
            ? children.SelectMany(child => Find(child, element, inElement: true))
            : type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0)
                .SelectMany(property => Find(section.GetSection(property.Name), property.PropertyType, inElement));
        foreach (var found in below)
        {
            yield return found;
        }
    }

    // The binder's own test for a value it converts rather than binds into (a string, a number, an enum, a TimeSpan, a Uri).
    private static bool IsScalar(Type type) => TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string));

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

    private static Type? ElementType(Type type)
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
