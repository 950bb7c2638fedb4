using BatchOrchestrator.Core.Operations;

namespace BatchOrchestrator.Core.Tests.Operations;

/// <summary>What the verbs and the dashboard answer after a retry or an approval: one file is one file.</summary>
public sealed class OperatorAnswerFacts
{
    [Theory]
    [InlineData(0, "Run 7 holds no file under a cap (see 'status' or 'costs'); nothing was approved.")]
    [InlineData(1, "1 file held by a cap in run 7 is approved; a run is queued to take it past the caps.")]
    [InlineData(3, "3 files held by a cap in run 7 are approved; a run is queued to take them past the caps.")]
    public void AnApproval_SaysHowManyFiles_InTheRightNumber(int approved, string expected) =>
        Assert.Equal(expected, OperatorCommands.DescribeApproval(7, approved));

    [Theory]
    [InlineData(1, false, null, "1 failed file (permanent failures left alone) of docs is queued again; a run of docs is queued to take it.")]
    [InlineData(2, true, null, "2 failed files (permanent failures included) of docs are queued again; a run of docs is queued to take them.")]
    [InlineData(2, false, 12L, "2 failed files (permanent failures left alone, unconfirmed batch 12's files included) of docs are queued again; a run of docs is queued to take them.")]
    [InlineData(0, false, 999L, "No failed file of docs to queue again: batch 999 is no unconfirmed batch of docs (its id mistyped, or already looked for and retried); no run was started.")]
    [InlineData(0, true, null, "No failed file of docs to queue again (permanent failures included; an unconfirmed batch's files, --unconfirmed <batch-id> once you looked for that batch at LlamaCloud); no run was started.")]
    public void ARetry_SaysHowManyFiles_InTheRightNumber_AndWhatItTook(int requeued, bool permanent, long? unconfirmedBatch, string expected) =>
        Assert.Equal(expected, OperatorCommands.DescribeRetry("docs", new RetryOutcome(requeued, 0), new ForcedRetry(permanent, unconfirmedBatch)));

    [Theory]
    [InlineData(2, 0, "Batch 12 of docs is taken as looked for at LlamaCloud and no longer needs a person. 2 failed files (permanent failures left alone, unconfirmed batch 12's files included) of docs are queued again; a run of docs is queued to take them.")]
    [InlineData(0, 0, "Batch 12 of docs is taken as looked for at LlamaCloud and no longer needs a person. Nothing of it is left to send again (its files deleted or changed since, or a RemoteOnly directory sent again since); no run of docs was started.")]
    [InlineData(0, 1, "Batch 12 of docs is taken as looked for at LlamaCloud and no longer needs a person. No failed file of docs to queue again, but 1 file a batch sent back waits in the queue (a failed, lost or given-up batch, or a failure retried): a run of docs is queued to take it now.")]
    public void ARetryNamingAnUnconfirmedBatch_SaysItNoLongerNeedsAPerson_WhateverItQueued(int requeued, int waiting, string expected) =>
        Assert.Equal(expected, OperatorCommands.DescribeRetry("docs", new RetryOutcome(requeued, waiting, LookedFor: true), ForcedRetry.Unconfirmed(12)));

    [Theory]
    [InlineData(1, 1, " 1 old failure of a file deleted, renamed or changed since was left out: it is that file's history.")]
    [InlineData(0, 3, " 3 old failures of files deleted, renamed or changed since were left out: they are those files' history.")]
    public void ARetry_SaysHowManyOldFailuresItLeftOut(int requeued, int leftOut, string expectedEnd) =>
        Assert.EndsWith(expectedEnd, OperatorCommands.DescribeRetry("docs", new RetryOutcome(requeued, 0, leftOut), ForcedRetry.Permanent), StringComparison.Ordinal);
}
