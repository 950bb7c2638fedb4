namespace BatchOrchestrator.Sandbox.V1Batches;

/// <summary>v1 job and item statuses, lower-case unlike v2 (docs/llamacloud-api.md §3.1, §3.2).</summary>
internal static class V1Status
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Dispatched = "dispatched";
    public const string Processing = "processing";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> JobStatuses = [Pending, Running, Dispatched, Completed, Failed, Cancelled];

    public static readonly IReadOnlyList<string> ItemStatuses = [Pending, Processing, Completed, Failed, Skipped, Cancelled];

    public static readonly IReadOnlyList<string> JobTypes = ["parse", "extract", "classify"];

    public static bool IsTerminalJob(string status) => status is Completed or Failed or Cancelled;

    public static bool IsTerminalItem(string status) => status is Completed or Failed or Skipped or Cancelled;
}
