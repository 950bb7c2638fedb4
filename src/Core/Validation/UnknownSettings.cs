using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BatchOrchestrator.Core.Validation;

/// <summary>A section bound to an options type (<see cref="StrictBinding.BindStrictly"/>), kept to find the keys nothing reads.</summary>
internal sealed record BoundSection(IConfiguration Section, Type Type);

/// <summary>A key below a bound section that code reads by hand, not through its options type (a secret never bound).</summary>
internal sealed record ReadSetting(string Path);

/// <summary>
/// The keys below a bound section that no options type reads: a misspelling (<c>Sources:0:Nmae</c>,
/// <c>Logs:Formt</c>) the binder passes over without a word, leaving the setting meant at its default. Said as
/// a warning by <c>config check</c> and at the service's start, not refused: a key this service does not know may
/// be meant for another reader of the same environment. A key another binding reads (a section two options types
/// share, a sub-section bound on its own) is not unknown; nor is anything at the top level, where the
/// environment's own variables are.
/// </summary>
internal static class UnknownSettings
{
    /// <summary>The unknown keys of the configuration <paramref name="services"/> were built on, as its bindings registered them.</summary>
    public static IReadOnlyList<(string Path, string? Meant)> Find(IServiceProvider services) =>
        Find(services.GetServices<BoundSection>(), services.GetServices<ReadSetting>());

    /// <summary>Each unknown key's path, with the setting it most likely meant (or null).</summary>
    public static IReadOnlyList<(string Path, string? Meant)> Find(IEnumerable<BoundSection> bound, IEnumerable<ReadSetting> read)
    {
        var sections = bound.ToList();
        var known = new HashSet<string>(read.Select(r => r.Path), StringComparer.OrdinalIgnoreCase);
        var candidates = new List<(string Path, string? Meant)>();
        foreach (var (section, type) in sections)
        {
            Walk(section, type, known, candidates);
        }

        var boundPaths = sections.Select(b => b.Section).OfType<IConfigurationSection>().Select(s => s.Path).ToList();
        candidates.AddRange(MisspelledSections(sections, boundPaths, known));
        return [.. candidates
            .Where(c => !known.Contains(c.Path)
                && !known.Any(k => k.StartsWith(c.Path + ConfigurationPath.KeyDelimiter, StringComparison.OrdinalIgnoreCase))
                && !boundPaths.Any(p => p.Equals(c.Path, StringComparison.OrdinalIgnoreCase) || p.StartsWith(c.Path + ConfigurationPath.KeyDelimiter, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(c => c.Meant is null) // two bindings of one section: keep the one that knows what was meant
            .DistinctBy(c => c.Path, StringComparer.OrdinalIgnoreCase)
            .OrderBy(c => c.Path, StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>
    /// A top-level section a bound section's name with a letter or two wrong (<c>Source:0:Path</c>, <c>Pipline__…</c>):
    /// everything below it is left unread, the whole section at its defaults. Only sections, and only those close to a
    /// name this service binds: the top level also holds the environment's own variables and other readers' sections
    /// (Serilog, Kestrel), none of which is said.
    /// </summary>
    private static IEnumerable<(string Path, string? Meant)> MisspelledSections(List<BoundSection> sections, List<string> boundPaths, HashSet<string> known)
    {
        if (sections.Select(b => b.Section).FirstOrDefault(s => s is not IConfigurationSection) is not { } root)
        {
            yield break;
        }

        var names = boundPaths.Concat(known)
            .Select(p => p.Split(ConfigurationPath.KeyDelimiter)[0])
            .Concat(sections.Where(b => b.Section is not IConfigurationSection).SelectMany(b => b.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance)).Select(p => p.Name))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var child in root.GetChildren())
        {
            if (!names.Contains(child.Key) && child.GetChildren().Any() && Closest(child.Key, names) is { } meant)
            {
                yield return (child.Path, meant);
            }
        }
    }

    private static void Walk(IConfiguration section, Type type, HashSet<string> known, List<(string, string?)> candidates)
    {
        if (section is IConfigurationSection { Path: var path })
        {
            known.Add(path);
        }

        if (ConvertibleValues.IsScalar(type))
        {
            return;
        }

        if (ConvertibleValues.ElementType(type) is { } element)
        {
            foreach (var child in section.GetChildren())
            {
                Walk(child, element, known, candidates);
            }

            return;
        }

        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToList();
        foreach (var child in section.GetChildren())
        {
            if (properties.Find(p => p.Name.Equals(child.Key, StringComparison.OrdinalIgnoreCase)) is { } property)
            {
                Walk(child, property.PropertyType, known, candidates);
            }
            else if (section is IConfigurationSection)
            {
                var names = properties.Select(p => p.Name).ToList();
                candidates.Add((child.Path, (Closest(child.Key, names) ?? Begun(child.Key, names)) is { } name ? ConfigurationPath.Combine(((IConfigurationSection)section).Path, name) : null));
            }
        }
    }

    // The one property a key cut short begins (LlamaCloud:ApiKey, the key itself put where the path to its file goes,
    // begins LlamaCloud:ApiKeyFile): too far for Closest, and the setting that would have read it is the one to name.
    // Keys only, not top-level sections, where the environment's own names are.
    private static string? Begun(string key, List<string> names)
    {
        var begun = key.Length < 4 ? [] : names.Where(name => name.Length > key.Length && name.StartsWith(key, StringComparison.OrdinalIgnoreCase)).ToList();
        return begun.Count == 1 ? begun[0] : null;
    }

    // The property a key most likely meant: two edits or fewer away (a letter missing, added, swapped or wrong).
    private static string? Closest(string key, IEnumerable<string> names) => names
        .Select(name => (name, distance: Distance(key.ToUpperInvariant(), name.ToUpperInvariant())))
        .Where(n => n.distance <= 2)
        .OrderBy(n => n.distance)
        .Select(n => n.name)
        .FirstOrDefault();

    private static int Distance(string a, string b)
    {
        // Optimal string alignment: insertions, deletions, substitutions and adjacent transpositions.
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
