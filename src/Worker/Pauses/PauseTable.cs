using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Worker.Pauses;

/// <summary>The LlamaCloud projects whose new work is held back, as the table the dashboard and the <c>status</c> verb show.</summary>
internal static class PauseTable
{
    public const string Heading = "Paused LlamaCloud projects";

    public const string Empty = "None: uploads, batch creates and follow-ups go on in every project.";

    /// <summary>Read now from the shared table (not a cached read): this is what a person looks at.</summary>
    public static async Task<OpsTable> ReadAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var pauses = await services.GetRequiredService<ProjectPauses>().ListAsync(fresh: true, cancellationToken);
        return new OpsTable(
            ["Project", "Reason", "Paused since", "Next probe", "Last error", "What it means"],
            [.. pauses.Select(p => new object?[] { p.Project, p.Reason.Label(), p.Since.UtcDateTime, p.NextProbeAt.UtcDateTime, p.LastError, p.Reason.Explain() })]);
    }
}
