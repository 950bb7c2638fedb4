using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.Retries;

/// <summary>
/// Puts a per-file error into its <see cref="FailureClass"/>. LlamaCloud reports per-file failures
/// only as text (a batch result's <c>error_message</c>, a job's <c>error_message</c>), so the text is
/// all there is to go on; an error nobody recognises counts as transient, which the per-source
/// attempt limit keeps bounded.
/// </summary>
internal static class FailureClassifier
{
    // Checked in order: "Processing timed out … page limit" is a timeout first.
    private static readonly (string Fragment, FailureClass Class)[] Rules =
    [
        ("timed out", FailureClass.Transient),
        ("timeout", FailureClass.Transient),
        ("temporar", FailureClass.Transient),
        ("unavailable", FailureClass.Transient),
        ("try again", FailureClass.Transient),
        ("rate limit", FailureClass.Throttled),
        ("too many requests", FailureClass.Throttled),
        ("quota", FailureClass.Throttled),
        ("throttl", FailureClass.Throttled),
        ("insufficient credits", FailureClass.Throttled),
        ("out of credits", FailureClass.Throttled),
        ("unauthori", FailureClass.Auth),
        ("forbidden", FailureClass.Auth),
        ("api key", FailureClass.Auth),
        ("permission", FailureClass.Auth),
        ("unsupported file type", FailureClass.Permanent),
        ("file is empty", FailureClass.Permanent),
        ("password protected", FailureClass.Permanent),
        ("corrupt", FailureClass.Permanent),
        ("page limit exceeded", FailureClass.Permanent),
        ("size_limit_exceeded", FailureClass.Permanent),
        ("too large", FailureClass.Permanent),
        ("unable to extract text", FailureClass.Permanent),
        ("unreadable", FailureClass.Permanent),
        ("invalid file", FailureClass.Permanent),
    ];

    public static FailureClass Classify(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return FailureClass.Transient;
        }

        foreach (var (fragment, failureClass) in Rules)
        {
            if (message.Contains(fragment, StringComparison.OrdinalIgnoreCase))
            {
                return failureClass;
            }
        }

        return FailureClass.Transient;
    }

    /// <summary>The class of a failed API call about a file (a refused request is the file's own fault).</summary>
    public static FailureClass FromApi(ApiErrorClass errorClass) => errorClass switch
    {
        ApiErrorClass.Throttled => FailureClass.Throttled,
        ApiErrorClass.Auth => FailureClass.Auth,
        ApiErrorClass.Rejected => FailureClass.Permanent,
        _ => FailureClass.Transient,
    };

    /// <summary>Whether the next run's planning takes it again by itself (below the source's MaxAttempts).</summary>
    public static bool RetriedAutomatically(this FailureClass failureClass) =>
        failureClass is FailureClass.Transient or FailureClass.Throttled;
}
