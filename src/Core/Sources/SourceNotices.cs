using BatchOrchestrator.Core.LlamaCloud;
using Microsoft.Extensions.Hosting;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// Says once, at start-up, what about the sources is allowed but likely a mistake, or a risk to know of: no
/// source at all, sources scanning the same files (<see cref="SharedFiles"/>), and sources using a v1 job type, which talk to
/// the legacy v1 batch-processing group: the TypeScript SDK has it up to 2.13.0 and not from 2.15.0 on, and no
/// source says whether the service still answers it (docs/llamacloud-api.md §3, §11.6).
/// </summary>
internal sealed class SourceNotices(IOptions<SourcesOptions> sources, IHostEnvironment environment, ILogger<SourceNotices> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var list = sources.Value.Sources;
        if (NoSource(list, environment.ContentRootPath) is { } none)
        {
            logger.LogWarning("{NoSource}", none);
        }

        foreach (var shared in SharedFiles(list))
        {
            logger.LogWarning("{SharedFolder}", shared);
        }

        var legacy = list.Where(s => BatchJobTypes.IsV1(s.JobType)).Select(s => s.Name).ToList();
        if (legacy.Count > 0)
        {
            logger.LogWarning(
                "Sources {Sources} use a v1 job type: /api/v1/beta/batch-processing is a legacy endpoint group, last in the official SDK at 2.13.0 and gone from 2.15.0 on; it may stop answering. Prefer parse_v2 or extract_v2",
                string.Join(", ", legacy));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// What to say when no source is configured (null when some is), as start-up logs it and <c>config check</c> prints
    /// it: most often the settings file was not found, since it is read from the content root, the folder the service
    /// was started in unless --contentRoot says otherwise, not from the folder of the published binary.
    /// </summary>
    public static string? NoSource(IReadOnlyList<SourceOptions> sources, string contentRoot)
    {
        if (sources.Count > 0)
        {
            return null;
        }

        var settings = Path.Combine(contentRoot, "appsettings.json");
        return "No source is configured, so nothing is scanned" + (File.Exists(settings)
            ? ""
            : $": there is no {settings} (settings are read from the folder the service was started in; start it in the folder holding them, or pass --contentRoot <folder>)");
    }

    /// <summary>
    /// Each pair of sources whose folders are the same or one inside the other, as written or once links are resolved
    /// (realpath(3)). Deduplication is per source, so a file both take is sent, and billed, once for each. Not refused:
    /// Include and Exclude may keep them apart (the PDFs of a folder parsed, its forms extracted), which no check of globs
    /// can prove.
    /// </summary>
    public static IEnumerable<string> SharedFiles(IReadOnlyList<SourceOptions> sources)
    {
        for (var i = 0; i < sources.Count; i++)
        {
            for (var j = i + 1; j < sources.Count; j++)
            {
                var (a, b) = (sources[i].Path, sources[j].Path);
                var shared = Inner(a, b) is { } folder ? $"'{folder}'"
                    // A source's Path may be a link: the walk starts at the folder it leads to, which the other may scan as written.
                    : Inner(Resolved(a), Resolved(b)) is { } real ? $"'{real}' (one of them through a link)"
                    : null;
                if (shared is not null)
                {
                    yield return $"Sources:{i} ({sources[i].Name}) and Sources:{j} ({sources[j].Name}) both scan {shared}: a file both take is sent, and billed, once for each source, unless their Include/Exclude keep them apart";
                }
            }
        }
    }

    private static string? Inner(string? a, string? b)
    {
        if (string.IsNullOrWhiteSpace(a) || string.IsNullOrWhiteSpace(b))
        {
            return null; // a RemoteOnly source has no folder
        }

        var (first, second) = (Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)));
        return Within(second, first) ? second : Within(first, second) ? first : null;
    }

    private static string? Resolved(string? path) => string.IsNullOrWhiteSpace(path) ? null : RealPath.Of(Path.GetFullPath(path));

    private static bool Within(string path, string folder) =>
        path == folder || path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal) || folder == "/";
}
