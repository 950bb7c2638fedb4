using System.Collections.Concurrent;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// One <see cref="UploadPace"/> per LlamaCloud project: the upload limit (50 per 5 s) is per project
/// (docs/llamacloud-api.md §1.4), so two sources in two projects each get the whole of it, and a 429 in
/// one project slows only that project's uploads. Each pace shares its project's slots with the other instances on the
/// database (<see cref="ISharedUploadPace"/>, registered with the database; a host without one, a test of the client
/// alone, paces on its own).
/// </summary>
internal sealed class UploadPaces(IOptions<UploadRateLimitOptions> options, RetryTiming timing, TimeProvider time, ILoggerFactory loggers, ISharedUploadPace? shared = null) : IDisposable
{
    private readonly ConcurrentDictionary<string, UploadPace> paces = new(StringComparer.Ordinal);

    public UploadPace For(ProjectScope scope) =>
        paces.GetOrAdd(scope.Key, key => new UploadPace(key, options.Value, timing, time, loggers.CreateLogger<UploadPace>(), shared));

    public void Dispose()
    {
        foreach (var pace in paces.Values)
        {
            pace.Dispose();
        }

        paces.Clear();
    }
}
