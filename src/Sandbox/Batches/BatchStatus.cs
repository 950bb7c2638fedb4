namespace BatchOrchestrator.Sandbox.Batches;

/// <summary>v2 batch statuses (docs/llamacloud-api.md §2.1) and the job types a batch can run.</summary>
internal static class BatchStatus
{
    public const string Pending = "PENDING";
    public const string Throttled = "THROTTLED";
    public const string Running = "RUNNING";
    public const string Completed = "COMPLETED";
    public const string Failed = "FAILED";
    public const string Cancelled = "CANCELLED";

    public static readonly IReadOnlyList<string> All = [Cancelled, Completed, Failed, Pending, Running, Throttled];

    public static readonly IReadOnlyList<string> JobTypes = ["parse_v2", "extract_v2"];

    public static bool IsTerminal(string status) => status is Completed or Failed or Cancelled;
}
