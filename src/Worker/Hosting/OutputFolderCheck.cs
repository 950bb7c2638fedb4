using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Core.Sources;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Hosting;

/// <summary>
/// At start-up, makes sure every source that writes results with the FileSystem sink can write them:
/// creates its output folder and a probe file in it. Otherwise every follow-up would fail, one by
/// one and much later (a read-only default beside a published app, a volume not mounted); this stops
/// the service at once with the key to fix.
/// </summary>
internal sealed class OutputFolderCheck(
    IOptions<SourcesOptions> sources,
    IOptions<FollowUpOptions> followUp,
    IEnumerable<IFollowUpSink> sinks,
    ServedQueues served,
    ILogger<OutputFolderCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var fileSystem = sinks.OfType<FileSystemSink>().SingleOrDefault();
        if (!followUp.Value.Enabled || fileSystem is null)
        {
            return Task.CompletedTask;
        }

        var problems = new List<string>();
        var list = sources.Value.Sources;
        for (var i = 0; i < list.Count; i++)
        {
            var source = list[i];
            // Follow-ups run on the source's queue: an instance that does not serve it never writes its results.
            if (!served.Touches(source) || !followUp.Value.SinksFor(source).Contains(FollowUpOptions.FileSystemSink, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var root = fileSystem.RootOf(source.Name);
            if (Probe(root) is { } reason)
            {
                var key = string.IsNullOrWhiteSpace(source.OutputPath) ? "FollowUp:OutputPath" : $"Sources:{i}:OutputPath";
                problems.Add($"{key}: the FileSystem sink cannot write source {source.Name}'s results to '{root}' ({reason}); point it at a writable folder, or leave FileSystem out of FollowUp:Sinks");
            }
            else
            {
                logger.LogDebug("Results of source {Source} are written under {OutputPath}", source.Name, root);
            }
        }

        return problems.Count == 0 ? Task.CompletedTask : throw new InvalidOperationException(string.Join("; ", problems));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static string? Probe(string root)
    {
        try
        {
            Directory.CreateDirectory(root);
            var probe = Path.Combine(root, $".write-probe-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ex.Message;
        }
    }
}
