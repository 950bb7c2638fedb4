using BatchOrchestrator.Core.Sources;

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
    public const string CancelJobs = "cancel-jobs";
    public const string Migrate = "migrate";
    public const string ConfigCheck = "config-check";
    public const string Plan = "plan";
    public const string Costs = "costs";
    public const string Approve = "approve";
    public const string RenameSource = "rename-source";

    /// <summary>
    /// The verbs that may call LlamaCloud: a scan or a reprocess plans, and planning prices a source by its saved
    /// configuration's tier; a plan does the same without writing; cancelling a submitted batch or run, or a batch's stuck jobs, calls the API.
    /// </summary>
    public static bool MayCallTheApi(string verb) => verb is Scan or Reprocess or Plan or CancelBatch or CancelRun or CancelJobs;

    /// <summary>
    /// What the verb does with the source folders: a scan, a reprocess and a plan read them as the service does;
    /// a config check looks at them without creating one; the rest never do, so a missing folder (an unmounted
    /// share) neither stops them nor is created by them.
    /// </summary>
    public static SourceFolderAccess FolderAccess(string verb) => verb switch
    {
        Scan or Reprocess or Plan => SourceFolderAccess.Read,
        ConfigCheck => SourceFolderAccess.Check,
        _ => SourceFolderAccess.None,
    };
}
