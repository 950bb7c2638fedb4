using Microsoft.Extensions.Configuration;
using Serilog.Events;

namespace BatchOrchestrator.Worker.Logging;

/// <summary>
/// The levels of "Serilog:MinimumLevel" (a level, or Default and Override:&lt;namespace&gt;). Serilog reads them while
/// the host is built and throws for a name it does not know, with a stack trace and before any other setting is
/// checked. Here each unknown one is left out of what Serilog reads (its default stands) and named with its key
/// when start-up validates, beside every other problem.
/// </summary>
internal static class SerilogLevels
{
    private const string Section = "Serilog:MinimumLevel";

    public static IEnumerable<string> Failures(IConfiguration configuration) =>
        Unknown(configuration).Select(l => $"{l.Path}: '{l.Value}' must be one of {string.Join(", ", Enum.GetNames<LogEventLevel>())}");

    /// <summary>The configuration Serilog reads: <paramref name="configuration"/> itself, or a copy without the unknown levels.</summary>
    public static IConfiguration Readable(IConfiguration configuration)
    {
        var unknown = Unknown(configuration).Select(l => l.Path).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return unknown.Count == 0
            ? configuration
            : new ConfigurationBuilder().AddInMemoryCollection(configuration.AsEnumerable().Where(v => !unknown.Contains(v.Key))).Build();
    }

    // Serilog parses a level as Enum.TryParse does, ignoring case; "$name" refers to a level switch.
    private static IEnumerable<IConfigurationSection> Unknown(IConfiguration configuration)
    {
        var minimum = configuration.GetSection(Section);
        IEnumerable<IConfigurationSection> levels = [minimum, minimum.GetSection("Default"), .. minimum.GetSection("Override").GetChildren()];
        return levels.Where(l => l.Value is { Length: > 0 } value && !value.StartsWith('$') && !Enum.TryParse<LogEventLevel>(value, ignoreCase: true, out _));
    }
}
