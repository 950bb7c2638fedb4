using BatchOrchestrator.Core.Lifecycle;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// A result delivered under more than one name. With DedupeKey ContentHash, a file whose content is a version
/// under another name is never sent or billed again; it is a copy of that version (docs/sources.md, "Dedupe
/// key"), and the follow-up hands the version's result to the sinks under the copy's path too, so no name in the
/// folder is left without its output.
/// </summary>
internal static class CopyDeliveries
{
    /// <summary>
    /// What a finished look delivers: its own document (unless only its copies wait for it) and, for each copy, the
    /// same result under the copy's path, naming the file whose content it shares. A copy's path holds the copy's
    /// content (a scan that finds it changed takes the copy away), so no other version supersedes it: only its own
    /// version sent again in a later batch can overtake it (<see cref="FollowUpDelivery"/> asks, just before writing).
    /// </summary>
    public static IEnumerable<(Delivery Delivery, FollowUpDocument Document)> Of(JobLook look)
    {
        var document = look.Document!;
        if (!look.Item.CopiesOnly)
        {
            yield return (new Delivery(look.Item.ResultId, null), document);
        }

        foreach (var copy in look.Item.Copies)
        {
            // A path back at an earlier version of its own content shares it with no other name.
            var sameContentAs = copy.RelativePath == document.RelativePath ? null : document.RelativePath;
            yield return (new Delivery(look.Item.ResultId, copy.Id), document with { RelativePath = copy.RelativePath, Superseded = false, SameContentAs = sameContentAs });
        }
    }

    /// <summary>
    /// What each copy's delivery came to. A copy waiting beside its own reference follows that reference's look: it
    /// is delivered when the result is, and otherwise waits (a version whose job fails is no longer Succeeded, so its
    /// copies stop waiting). A look made for copies alone decides for them as a reference's own look would. A copy whose
    /// delivery a later batch's result of the same version overtook has none: it keeps what that batch recorded of it.
    /// </summary>
    public static IEnumerable<CopyOutcome> Outcomes(JobLook look, SinkWrites written, int maxAttempts)
    {
        var item = look.Item;
        var sinkErrors = written.Errors;
        foreach (var copy in item.Copies.Where(c => !written.Overtaken.Contains(new Delivery(item.ResultId, c.Id))))
        {
            CopyOutcome Ended(FollowUpState state, bool failedAttempt, string? error) => new(copy.Id, item.FileVersionId!.Value, item.JobId, state, failedAttempt, error);
            var outcome = look.Kind switch
            {
                LookKind.Finished when sinkErrors.TryGetValue(new Delivery(item.ResultId, copy.Id), out var error) =>
                    Ended(FollowUpLifecycle.AfterFailedLook(copy.Attempts, maxAttempts), true, error),
                LookKind.Finished => Ended(FollowUpState.FollowedUp, false, null),
                _ when !item.CopiesOnly => null,
                LookKind.Waiting or LookKind.Deferred => null,
                LookKind.Error => Ended(FollowUpLifecycle.AfterFailedLook(copy.Attempts, maxAttempts), true, look.Error ?? "the look failed"),
                _ => Ended(FollowUpState.FollowUpFailed, false, look.Error), // the result is gone: LlamaCloud keeps results for a limited time
            };
            if (outcome is not null)
            {
                yield return outcome;
            }
        }
    }
}

/// <summary>One result delivered under one name: its reference's own (<paramref name="CopyId"/> null) or a copy's.</summary>
internal readonly record struct Delivery(long ResultId, long? CopyId);
