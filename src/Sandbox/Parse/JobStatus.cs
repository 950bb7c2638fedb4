namespace BatchOrchestrator.Sandbox.Parse;

/// <summary>Parse and extract v2 job statuses (docs/llamacloud-api.md §5).</summary>
internal static class JobStatus
{
    public const string Pending = "PENDING";
    public const string Running = "RUNNING";
    public const string Completed = "COMPLETED";
    public const string Failed = "FAILED";
    public const string Cancelled = "CANCELLED";

    public static readonly IReadOnlyList<string> All = [Cancelled, Completed, Failed, Pending, Running];

    public static bool IsTerminal(string status) => status is Completed or Failed or Cancelled;
}
