using BatchOrchestrator.Sandbox.Batches;
using BatchOrchestrator.Sandbox.Configurations;
using BatchOrchestrator.Sandbox.Directories;
using BatchOrchestrator.Sandbox.Extract;
using BatchOrchestrator.Sandbox.Files;
using BatchOrchestrator.Sandbox.Parse;
using BatchOrchestrator.Sandbox.V1Batches;
using BatchOrchestrator.Sandbox.Webhooks;

namespace BatchOrchestrator.Sandbox.State;

/// <summary>
/// Every resource the Sandbox holds, in memory, behind one lock, each in the project it was created
/// in. An emulator's traffic is small enough that one lock keeps every multi-resource change
/// (snapshot a directory, map a batch) trivially consistent.
/// </summary>
internal sealed class SandboxState(SandboxOptions options, TimeProvider clock)
{
    private long _sequence;

    public Lock Gate { get; } = new();

    /// <summary>The project of requests that name none.</summary>
    public string DefaultProjectId { get; } = options.DefaultProjectId;

    public TimeProvider Clock { get; } = clock;

    public ProjectTable<DirectoryRecord> Directories { get; } = new();

    public ProjectTable<DirectoryFileRecord> DirectoryFiles { get; } = new();

    /// <summary>
    /// The latest directory file per (project, directory, unique_id): an upload's upsert looks here instead of
    /// through every file of the project, whose cost grew with all that was uploaded before (a benchmark's
    /// later rounds ran several times slower than its first). Kept by <c>DirectoryFiles</c>; a hit is checked.
    /// </summary>
    public Dictionary<(string Project, string Directory, string UniqueId), DirectoryFileRecord> DirectoryFilesByUniqueId { get; } = new();

    public ProjectTable<StoredFile> Files { get; } = new();

    public ProjectTable<BatchRecord> Batches { get; } = new();

    public ProjectTable<ParseJobRecord> ParseJobs { get; } = new();

    public ProjectTable<ExtractJobRecord> ExtractJobs { get; } = new();

    public ProjectTable<ConfigurationRecord> Configurations { get; } = new();

    public ProjectTable<WebhookConfigRecord> WebhookConfigs { get; } = new();

    public ProjectTable<V1JobRecord> V1Jobs { get; } = new();

    /// <summary>"project/contentHash/parametersHash" of every v1 item processed, for skip_reason already_processed.</summary>
    public HashSet<string> V1Processed { get; } = new(StringComparer.Ordinal);

    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>The current processing step; things created during step n first move at step n + 1.</summary>
    public long Step { get; set; }

    /// <summary>A unique, increasing number per created resource: list order and page cursors. Call under <see cref="Gate"/>.</summary>
    public long NextSequence() => ++_sequence;

    /// <summary>Forgets every resource. Call under <see cref="Gate"/>.</summary>
    public void Clear()
    {
        Directories.Clear();
        DirectoryFiles.Clear();
        DirectoryFilesByUniqueId.Clear();
        Files.Clear();
        Batches.Clear();
        ParseJobs.Clear();
        ExtractJobs.Clear();
        Configurations.Clear();
        WebhookConfigs.Clear();
        V1Jobs.Clear();
        V1Processed.Clear();
    }
}
