using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Sources;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Core.Batches;

/// <summary>
/// The remote side of a batch, whichever API runs it: v2 batches (docs/llamacloud-api.md §2) or the legacy
/// v1 batch-processing jobs (§3). The steps (submit, poll, record, cancel) stay the same for both, and
/// every call acts in the project the batch was planned for (its recorded <see cref="ProjectScope"/>).
/// </summary>
internal sealed class RemoteBatches(IBatchApis apis, IOptionsMonitor<SourcesOptions> sources, IBatchWebhooks webhooks)
{
    private const int V1PageSize = 500;

    // Only jobs created after the batch row can be ours; the margin absorbs clock skew between hosts.
    private static readonly TimeSpan ClockMargin = TimeSpan.FromHours(1);

    /// <summary>Whether the batch's files are named by id (v1 item scope) rather than by their directory.</summary>
    public bool NeedsItemIds(BatchRecord batch) => BatchJobTypes.IsV1(batch.JobType) && ScopeOf(batch) == V1Scope.Items;

    /// <summary>
    /// The remote batch an earlier attempt created for this batch, if any (the oldest, should there be
    /// several). A directory-scoped search considers only the ids <paramref name="mayAdopt"/> accepts
    /// (a mirror's or remote-only directory also holds batches that are not this row's).
    /// </summary>
    public async Task<RemoteBatchHandle?> FindCreatedAsync(
        BatchRecord batch, IReadOnlyCollection<string> itemIds, CancellationToken cancellationToken, Func<string, bool>? mayAdopt = null)
    {
        mayAdopt ??= _ => true;
        var api = apis.For(batch.Scope);
        var directoryId = DirectoryOf(batch);
        if (!BatchJobTypes.IsV1(batch.JobType))
        {
            var existing = await api.ListBatchesForDirectoryAsync(directoryId, cancellationToken);
            return existing.Where(b => mayAdopt(b.Id)).OrderBy(b => b.CreatedAt).Select(ToHandle).FirstOrDefault();
        }

        var jobType = BatchJobTypes.V1ApiType(batch.JobType);
        if (ScopeOf(batch) == V1Scope.Directory)
        {
            var page = await api.ListV1BatchesAsync(directoryId, jobType, V1PageSize, 0, cancellationToken);
            return page.Items.Where(j => mayAdopt(j.Id)).OrderBy(j => j.CreatedAt).Select(ToHandle).FirstOrDefault();
        }

        // Item scope: a job does not name its items in the list, so look at the first item of each
        // candidate. The list is newest first, and item ids (dfl-…) belong to this batch's directory.
        var ours = itemIds.ToHashSet(StringComparer.Ordinal);
        for (var offset = 0; ;)
        {
            var page = await api.ListV1BatchesAsync(null, jobType, V1PageSize, offset, cancellationToken);
            foreach (var job in page.Items)
            {
                if (job.CreatedAt is { } created && created < batch.CreatedAt - ClockMargin)
                {
                    return null;
                }

                if (job.DirectoryId is null && job.TotalItems == ours.Count
                    && (await api.ListV1ItemsAsync(job.Id, 1, 0, cancellationToken)).Items is [var first, ..] && ours.Contains(first.ItemId))
                {
                    return ToHandle(job);
                }
            }

            offset += page.Items.Count;
            if (page.Items.Count == 0 || offset >= page.TotalSize)
            {
                return null;
            }
        }
    }

    /// <summary>The ids of the remote batches the batch's directory already has (the snapshot taken before the first POST).</summary>
    public async Task<IReadOnlyList<string>> ListIdsAsync(BatchRecord batch, CancellationToken cancellationToken)
    {
        var api = apis.For(batch.Scope);
        if (!BatchJobTypes.IsV1(batch.JobType))
        {
            return [.. (await api.ListBatchesForDirectoryAsync(DirectoryOf(batch), cancellationToken)).Select(b => b.Id)];
        }

        // Item-scoped v1 jobs are matched by their items, not by directory; nothing to remember for them.
        return ScopeOf(batch) == V1Scope.Directory
            ? [.. (await api.ListV1BatchesAsync(DirectoryOf(batch), BatchJobTypes.V1ApiType(batch.JobType), V1PageSize, 0, cancellationToken)).Items.Select(j => j.Id)]
            : [];
    }

    public async Task<RemoteBatchHandle> CreateAsync(BatchRecord batch, IReadOnlyList<string> itemIds, CancellationToken cancellationToken)
    {
        var api = apis.For(batch.Scope);
        var directoryId = DirectoryOf(batch);
        if (!BatchJobTypes.IsV1(batch.JobType))
        {
            var request = new CreateBatchRequest(directoryId, new RemoteBatchConfig(new RemoteBatchJob(batch.JobType, batch.ConfigurationId)), webhooks.ForNewBatch());
            return ToHandle(await api.CreateBatchAsync(request, cancellationToken));
        }

        var config = batch.JobType == BatchJobTypes.V1Classify
            ? new V1JobConfig(Rules: [.. SourceOf(batch)?.ClassifyRules.Select(r => new V1ClassifyRule(r.Type, r.Description)) ?? []], Mode: "FAST", Status: "PENDING")
            : new V1JobConfig(JobName: "parse_raw_file_job", Parameters: new V1ParseParameters("parse"));
        var v1 = ScopeOf(batch) == V1Scope.Items
            ? new V1CreateRequest(config, ItemIds: itemIds)
            : new V1CreateRequest(config, DirectoryId: directoryId);
        return ToHandle(await api.CreateV1BatchAsync(v1, cancellationToken));
    }

    public async Task<BatchState> GetStateAsync(ProjectScope scope, string jobType, string remoteId, CancellationToken cancellationToken) =>
        BatchJobTypes.IsV1(jobType)
            ? RemoteBatchStatus.FromV1((await apis.For(scope).GetV1BatchAsync(remoteId, cancellationToken)).Job.Status)
            : RemoteBatchStatus.ToState((await apis.For(scope).GetBatchAsync(remoteId, expandResults: false, cancellationToken)).Status);

    /// <summary>The batch's status and, once terminal, what it decided for each file.</summary>
    public async Task<(BatchState State, IReadOnlyList<FileResult> Results)> GetResultsAsync(
        ProjectScope scope, string jobType, string remoteId, CancellationToken cancellationToken)
    {
        var api = apis.For(scope);
        if (!BatchJobTypes.IsV1(jobType))
        {
            var remote = await api.GetBatchAsync(remoteId, expandResults: true, cancellationToken);
            return (RemoteBatchStatus.ToState(remote.Status), [.. (remote.Results ?? []).Select(FileResult.FromV2)]);
        }

        var state = RemoteBatchStatus.FromV1((await api.GetV1BatchAsync(remoteId, cancellationToken)).Job.Status);
        var results = new List<FileResult>();
        if (!state.IsTerminal())
        {
            return (state, results);
        }

        for (var offset = 0; ;)
        {
            var page = await api.ListV1ItemsAsync(remoteId, V1PageSize, offset, cancellationToken);
            results.AddRange(page.Items.Select(i => FileResult.FromV1(i, jobType)).OfType<FileResult>());
            offset += page.Items.Count;
            if (page.Items.Count == 0 || offset >= page.TotalSize)
            {
                return (state, results);
            }
        }
    }

    /// <summary>Asks LlamaCloud to stop the batch; files that finished keep their results.</summary>
    public async Task CancelAsync(ProjectScope scope, string jobType, string remoteId, CancellationToken cancellationToken)
    {
        var api = apis.For(scope);
        if (BatchJobTypes.IsV1(jobType))
        {
            await api.CancelV1BatchAsync(remoteId, cancellationToken);
        }
        else
        {
            await api.CancelBatchAsync(remoteId, cancellationToken);
        }
    }

    private SourceOptions? SourceOf(BatchRecord batch) => sources.CurrentValue.Find(batch.Source);

    private V1Scope ScopeOf(BatchRecord batch) => SourceOf(batch)?.V1Scope ?? V1Scope.Directory;

    private static string DirectoryOf(BatchRecord batch) =>
        batch.RemoteDirectoryId ?? throw new InvalidOperationException($"Batch {batch.Id} has no remote directory yet");

    private static RemoteBatchHandle ToHandle(RemoteBatch batch) => new(batch.Id, RemoteBatchStatus.ToState(batch.Status), batch.CreatedAt);

    private static RemoteBatchHandle ToHandle(V1BatchJob job) => new(job.Id, RemoteBatchStatus.FromV1(job.Status), job.CreatedAt);
}
