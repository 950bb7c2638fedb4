using System.Globalization;
using BatchOrchestrator.Core.Operations;
using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>
/// <c>reprocess &lt;source&gt; [--filter glob] [--before date] [--dry-run]</c>: says how many files were
/// processed under each older configuration and how many the filter selects, then (unless a dry run)
/// queues exactly those for a run under the current one. Exit 0; 2 for an unknown source or a bad filter;
/// 1 when nothing is sent though asked: the source's layout sends everything each run anyway, or the selection
/// grew since the preview, or another reprocess took it meanwhile.
/// </summary>
internal static class ReprocessVerb
{
    public static async Task<int> RunAsync(IServiceProvider services, VerbConsole console, string source, VerbOptions options, CancellationToken cancellationToken)
    {
        var reprocessing = services.GetRequiredService<Reprocessing>();
        var filter = ReprocessFilter.Parse(options.Filter, options.Before);
        var preview = await reprocessing.PreviewAsync(source, filter, cancellationToken);
        var under = new OpsTable(["Processed under", "Files"], [.. preview.ProcessedUnder.Select(p => new object?[] { p.Key, (long)p.Value })]);
        VerbTable.Write(console, $"{source}: files processed under an older configuration than {preview.CurrentFingerprint}", under, "none");
        await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Selected ({filter}): {preview.Selected}; can be sent again: {preview.Sendable} (the rest are no longer in the folder as they were, or still wait for their follow-up)."));
        await console.Out.WriteLineAsync($"What it would cost: {preview.Cost ?? "not known (no cost estimate is configured)"}.");
        if (preview.RefusedBecause is { } refused)
        {
            return await RefuseAsync(console, options, refused);
        }

        if (options.DryRun || preview.Sendable == 0)
        {
            await console.Out.WriteLineAsync(options.DryRun ? "Dry run: nothing sent." : "Nothing to send.");
            return 0;
        }

        // The count just printed is the most that may go: files that became stale meanwhile wait for another look.
        var (acted, queued) = await reprocessing.ReprocessAsync(source, filter, preview.Sendable, cancellationToken);
        if (acted.RefusedBecause is { } late)
        {
            return await RefuseAsync(console, options, late);
        }

        await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{(queued == 1 ? "1 file" : $"{queued} files")} of {source} {(queued == 1 ? "is" : "are")} queued again under {acted.CurrentFingerprint}; a run of {source} is queued to send {(queued == 1 ? "it" : "them")} (the running service uploads and submits {(queued == 1 ? "it" : "them")})."));
        return 0;
    }

    /// <summary>Nothing was sent though the operator asked: a failure, said on stderr as every verb's failures are.</summary>
    private static async Task<int> RefuseAsync(VerbConsole console, VerbOptions options, string reason)
    {
        await console.Error.WriteLineAsync(VerbRunner.UsageLine(options, $"nothing sent: {reason}"));
        return 1;
    }
}
