using Microsoft.Extensions.Configuration;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// The Hangfire queues this instance serves (<c>Hangfire:Server:Queues</c>; none listed means
/// <c>default</c> only). A source whose <see cref="SourceOptions.Queue"/> is not among them is never
/// scanned, uploaded or followed up here, so its folder need not exist on this machine: every instance
/// can share one configuration.
/// </summary>
public sealed class ServedQueues
{
    /// <summary>Where the list lives in configuration.</summary>
    public const string ConfigurationKey = "Hangfire:Server:Queues";

    public ServedQueues(IEnumerable<string> queues)
    {
        var listed = queues.Where(q => !string.IsNullOrWhiteSpace(q)).Distinct(StringComparer.Ordinal).ToArray();
        All = listed.Length == 0 ? [SourceOptions.DefaultQueue] : listed;
    }

    /// <summary>In priority order, without repeats.</summary>
    public IReadOnlyList<string> All { get; }

    public static ServedQueues From(IConfiguration configuration) =>
        new(configuration.GetSection(ConfigurationKey).GetChildren().Select(c => c.Value ?? ""));

    public bool Serves(string queue) => All.Contains(queue, StringComparer.Ordinal);

    /// <summary>Whether this instance touches the source's folder: it serves the source's queue.</summary>
    public bool Touches(SourceOptions source) => Serves(source.Queue);
}
