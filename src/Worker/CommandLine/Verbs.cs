namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>The verbs' names as stored in "Verb:Name".</summary>
internal static class Verbs
{
    public const string Run = "run";
    public const string Scan = "scan";
    public const string Status = "status";
    public const string Retry = "retry";
    public const string Reprocess = "reprocess";
    public const string CancelRun = "cancel-run";
    public const string CancelBatch = "cancel-batch";
    public const string Migrate = "migrate";
    public const string ConfigCheck = "config-check";
    public const string Plan = "plan";
    public const string Costs = "costs";
    public const string Approve = "approve";
}
