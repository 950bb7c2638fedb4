namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>
/// The verb this process runs ("Verb" section), set by <see cref="BatchCommandLine"/> from the command
/// line. Kept in configuration so the host's registrations can depend on it and tests can choose it.
/// </summary>
public sealed class VerbOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Verb";

    /// <summary><c>run</c> (the service; the default), <c>scan</c>, <c>status</c>, <c>retry</c>, <c>cancel-run</c>, <c>cancel-batch</c>, <c>cancel-jobs</c>, <c>migrate</c>, <c>config-check</c>, <c>plan</c>, <c>costs</c>, <c>approve</c> or <c>rename-source</c>.</summary>
    public string Name { get; set; } = Verbs.Run;

    /// <summary>The source, run id or batch id the verb acts on.</summary>
    public string? Target { get; set; }

    /// <summary><c>retry --failed</c>: put the source's failed files back in the queue first.</summary>
    public bool Failed { get; set; }

    /// <summary><c>retry --failed --permanent</c>: permanent failures (an unsupported type, a corrupt file) too, once the file is fixed.</summary>
    public bool IncludePermanent { get; set; }

    /// <summary><c>retry --failed --unconfirmed &lt;batch-id&gt;</c>: the files of that batch, which LlamaCloud may have created, once it was looked for there.</summary>
    public long? UnconfirmedBatch { get; set; }

    /// <summary><c>reprocess --filter</c>: only paths matching this glob.</summary>
    public string? Filter { get; set; }

    /// <summary><c>reprocess --before</c>: only files whose batch ended before this date or time.</summary>
    public string? Before { get; set; }

    /// <summary><c>rename-source &lt;old&gt; &lt;new&gt;</c>: the new name (the old one is <see cref="Target"/>).</summary>
    public string? NewName { get; set; }

    /// <summary><c>reprocess --dry-run</c>: say what would be sent, send nothing; <c>rename-source --dry-run</c>: say what would move.</summary>
    public bool DryRun { get; set; }

    /// <summary>Whether this process is the service rather than a one-off verb.</summary>
    internal bool IsService => string.IsNullOrEmpty(Name) || Name == Verbs.Run;
}
