namespace BatchOrchestrator.Core.Retries;

/// <summary>
/// Why a file version failed, as far as retrying it is concerned (docs/reliability.md §5.5).
/// Stored by name in <c>file_version.error_class</c>; renaming a member is a migration.
/// </summary>
internal enum FailureClass
{
    /// <summary>A timeout, an outage, a batch that failed as a whole: a later batch may succeed.</summary>
    Transient,

    /// <summary>Rate limits, quotas, credits: a later batch may succeed once capacity returns.</summary>
    Throttled,

    /// <summary>The key was refused: an operator must fix it; retried only when an operator asks.</summary>
    Auth,

    /// <summary>The file itself cannot be processed (unsupported type, corrupt, password protected): never retried automatically.</summary>
    Permanent,

    /// <summary>
    /// Its batch's submit step gave up without learning whether an earlier attempt's create took effect: a batch over
    /// these files may exist at LlamaCloud and bill them. Sent again only when an operator, having looked for that batch,
    /// names this class (<c>retry --failed --unconfirmed</c>): a retry of permanent failures leaves it alone, or it
    /// would pay for the files twice (docs/costs.md, "Settling").
    /// </summary>
    Unconfirmed,
}
