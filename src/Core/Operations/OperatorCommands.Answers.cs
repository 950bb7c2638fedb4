using System.Globalization;
using BatchOrchestrator.Core.Retries;

namespace BatchOrchestrator.Core.Operations;

/// <summary>What the operator commands answer, in the words the verbs and the dashboard print.</summary>
internal sealed partial class OperatorCommands
{
    /// <summary>What an approval did, in the words the verb and the dashboard answer with.</summary>
    public static string DescribeApproval(long runId, int approved) => approved switch
    {
        0 => string.Create(CultureInfo.InvariantCulture, $"Run {runId} holds no file under a cap (see 'status' or 'costs'); nothing was approved."),
        1 => string.Create(CultureInfo.InvariantCulture, $"1 file held by a cap in run {runId} is approved; a run is queued to take it past the caps."),
        _ => string.Create(CultureInfo.InvariantCulture, $"{approved} files held by a cap in run {runId} are approved; a run is queued to take them past the caps."),
    };

    /// <summary>What a retry of failed files did, in the words the verb and the dashboard answer with.</summary>
    public static string DescribeRetry(string source, RetryOutcome outcome, ForcedRetry forced) =>
        DescribeLookedFor(source, outcome, forced) + DescribeRequeued(source, outcome, forced) + outcome.LeftOut switch
        {
            0 => "",
            1 => " 1 old failure of a file deleted, renamed or changed since was left out: it is that file's history.",
            var n => string.Create(
                CultureInfo.InvariantCulture, $" {n} old failures of files deleted, renamed or changed since were left out: they are those files' history."),
        };

    private static string DescribeLookedFor(string source, RetryOutcome outcome, ForcedRetry forced) => outcome.LookedFor
        ? string.Create(CultureInfo.InvariantCulture, $"Batch {forced.UnconfirmedBatch} of {source} is taken as looked for at LlamaCloud and no longer needs a person. ")
        : "";

    private static string DescribeRequeued(string source, RetryOutcome outcome, ForcedRetry forced) => outcome.Requeued switch
    {
        0 when outcome.RunAlreadyQueued => string.Create(
            CultureInfo.InvariantCulture,
            $"No failed file of {source} to queue again: its {(outcome.Waiting == 1 ? "1 file waiting" : $"{outcome.Waiting} files waiting")} in the queue {(outcome.Waiting == 1 ? "is" : "are")} for the run of {source} already queued, which has not started yet; no other run was queued."),
        var n when outcome.RunAlreadyQueued => string.Create(
            CultureInfo.InvariantCulture,
            $"{(n == 1 ? "1 failed file" : $"{n} failed files")} ({Included(forced)}) of {source} {(n == 1 ? "is" : "are")} queued again, for the run of {source} already queued, which has not started yet; no other run was queued."),
        0 when outcome.Waiting > 0 => string.Create(
            CultureInfo.InvariantCulture,
            $"No failed file of {source} to queue again, but {outcome.Waiting} {(outcome.Waiting == 1 ? "file a batch sent back waits" : "files a batch sent back wait")} in the queue (a failed, lost or given-up batch, or a failure retried): a run of {source} is queued to take {(outcome.Waiting == 1 ? "it" : "them")} now."),
        0 when outcome.LookedFor => $"Nothing of it is left to send again (its files deleted or changed since, or a RemoteOnly directory sent again since); no run of {source} was started.",
        0 when forced.UnconfirmedBatch is { } batch => string.Create(
            CultureInfo.InvariantCulture,
            $"No failed file of {source} to queue again: batch {batch} is no unconfirmed batch of {source} (its id mistyped, or already looked for and retried); no run was started."),
        0 when forced.IncludePermanent => $"No failed file of {source} to queue again ({Included(forced)}{UnconfirmedHint(forced)}); no run was started.",
        0 => $"No failed file of {source} to queue again (permanent failures are left alone: --permanent, or 'Retry them, permanent failures too' on the dashboard, sends them too{UnconfirmedHint(forced)}); no run was started.",
        1 => $"1 failed file ({Included(forced)}) of {source} is queued again; a run of {source} is queued to take it.",
        var requeued => string.Create(
            CultureInfo.InvariantCulture,
            $"{requeued} failed files ({Included(forced)}) of {source} are queued again; a run of {source} is queued to take them."),
    };

    /// <summary>Which classes a person must clear first a retry took, in the words of its answer and log line.</summary>
    private static string Included(ForcedRetry forced) => forced switch
    {
        { UnconfirmedBatch: { } batch } => string.Create(
            CultureInfo.InvariantCulture, $"permanent failures {(forced.IncludePermanent ? "included" : "left alone")}, unconfirmed batch {batch}'s files included"),
        { IncludePermanent: true } => "permanent failures included",
        _ => "permanent failures left alone",
    };

    private static string UnconfirmedHint(ForcedRetry forced) =>
        forced.UnconfirmedBatch is null ? "; an unconfirmed batch's files, --unconfirmed <batch-id> once you looked for that batch at LlamaCloud" : "";
}
