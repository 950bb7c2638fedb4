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
/// Every resource the Sandbox holds, in memory, behind one lock. An emulator's traffic is small
/// enough that one lock keeps every multi-resource change (snapshot a directory, map a batch)
/// trivially consistent.
/// </summary>
internal sealed class SandboxState(SandboxOptions options, TimeProvider clock)
{
    private long _sequence;

    public Lock Gate { get; } = new();

    public string ProjectId { get; } = options.ProjectId;

    public TimeProvider Clock { get; } = clock;

    public Dictionary<string, DirectoryRecord> Directories { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, DirectoryFileRecord> DirectoryFiles { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, StoredFile> Files { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, BatchRecord> Batches { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, ParseJobRecord> ParseJobs { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, ExtractJobRecord> ExtractJobs { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, ConfigurationRecord> Configurations { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, WebhookConfigRecord> WebhookConfigs { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, V1JobRecord> V1Jobs { get; } = new(StringComparer.Ordinal);

    /// <summary>"contentHash/parametersHash" of every v1 item processed, for skip_reason already_processed.</summary>
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
