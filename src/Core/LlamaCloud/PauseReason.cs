namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// Why new work for a LlamaCloud project is held back. One mechanism for every cause: the steps see a
/// pause before they start and come back when it may have lifted; nothing is marked failed.
/// </summary>
internal enum PauseReason
{
    /// <summary>The project's circuit breaker opened: server errors, timeouts or dropped connections piled up.</summary>
    CircuitOpen,

    /// <summary>LlamaCloud answered 402: the plan's credits are used up.</summary>
    CreditsExhausted,

    /// <summary>LlamaCloud answered with a quota error (the shape is a guess, docs/resilience.md).</summary>
    QuotaExceeded,
}

/// <summary>The names a pause reason goes by outside the code (table rows, metric labels, the dashboard).</summary>
internal static class PauseReasons
{
    public static readonly IReadOnlyList<PauseReason> All = Enum.GetValues<PauseReason>();

    /// <summary><c>circuit_open</c>, <c>credits_exhausted</c>, <c>quota_exceeded</c>: the metric label values fixed for the alert rules.</summary>
    public static string Label(this PauseReason reason) => reason switch
    {
        PauseReason.CircuitOpen => "circuit_open",
        PauseReason.CreditsExhausted => "credits_exhausted",
        _ => "quota_exceeded",
    };

    public static PauseReason FromLabel(string label) =>
        All.FirstOrDefault(r => r.Label() == label, PauseReason.CircuitOpen);

    /// <summary>What a person should know: what is held back and what lifts it.</summary>
    public static string Explain(this PauseReason reason) => reason switch
    {
        PauseReason.CircuitOpen => "LlamaCloud keeps failing (server errors, timeouts or dropped connections); work resumes once a probe gets an answer",
        PauseReason.CreditsExhausted => "LlamaCloud answered 402: the plan's credits are used up; add credits and work resumes by itself at the next probe",
        _ => "LlamaCloud answered with a quota error; work resumes by itself once the quota allows it again",
    };
}
