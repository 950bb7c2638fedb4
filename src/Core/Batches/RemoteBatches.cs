using System.Globalization;
using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Batches;

/// <summary>
/// The remote side of a batch, whichever API runs it: v2 batches (docs/llamacloud-api.md §2) or the legacy
/// v1 batch-processing jobs (§3). The steps (submit, poll, record, cancel) stay the same for both, and
/// every call acts in the project the batch was planned for (its recorded <see cref="ProjectScope"/>).
/// </summary>
internal sealed class RemoteBatches(IBatchApis apis, IOptionsMonitor<SourcesOptions> sources, IBatchWebhooks webhooks, IOptions<LlamaCloudOptions> llamaCloud)
{
    private const int V1PageSize = 500;

    // Only jobs created after the batch row can be ours; the margin absorbs clock skew between hosts.
    private static readonly TimeSpan ClockMargin = TimeSpan.FromHours(1);

    /// <summary>Whether the batch's files are named by id (v1 item scope) rather than by their directory.</summary>
    public bool NeedsItemIds(BatchRecord batch) => BatchJobTypes.IsV1(batch.JobType) && ScopeOf(batch) == V1Scope.Items;

    /// <summary>
    /// The remote batch an earlier attempt created for this batch, if any (the oldest, should there be
    /// several). A directory-scoped search considers only the ids <paramref name="mayAdopt"/> accepts: a
    /// mirror's or remote-only directory also holds batches that are not this row's.
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

        // The v1 list's order is not documented (docs/llamacloud-api.md §3.2), so every page is read and
        // nothing is assumed about where ours is. Directory scope: the list filters by directory.
        var jobType = BatchJobTypes.V1ApiType(batch.JobType);
        var v1Scope = ScopeOf(batch);
        var ours = itemIds.ToHashSet(StringComparer.Ordinal);
        var candidates = new List<V1BatchJob>();
        await foreach (var job in ListV1Async(api, v1Scope == V1Scope.Directory ? directoryId : null, jobType, cancellationToken))
        {
            if (!mayAdopt(job.Id) || job.CreatedAt is { } created && created < batch.CreatedAt - ClockMargin)
            {
                continue; // made before this row existed (created_at is optional; without it, still a candidate)
            }

            // Item scope: a job does not name its items in the list; the first item of a job of the right
            // size that belongs to this batch (item ids are this batch's dfl- ids) identifies it.
            if (v1Scope == V1Scope.Directory
                || (job.DirectoryId is null && job.TotalItems == ours.Count
                    && (await api.ListV1ItemsAsync(job.Id, 1, 0, cancellationToken)).Items is [var first, ..] && ours.Contains(first.ItemId)))
            {
                candidates.Add(job);
            }
        }

        return candidates.OrderBy(j => j.CreatedAt ?? DateTimeOffset.MaxValue).Select(ToHandle).FirstOrDefault();
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
        var ids = new List<string>();
        if (ScopeOf(batch) == V1Scope.Directory)
        {
            await foreach (var job in ListV1Async(api, DirectoryOf(batch), BatchJobTypes.V1ApiType(batch.JobType), cancellationToken))
            {
                ids.Add(job.Id);
            }
        }

        return ids;
    }

    /// <summary>
    /// Every v1 job of the type (in the directory, if given), page by page: offset paging ends at <c>total_size</c> (§1.3).
    /// A list that ends short of it is read again later: taken as whole, the look for a job an earlier attempt created
    /// could miss it and create a second, paid again.
    /// </summary>
    private static async IAsyncEnumerable<V1BatchJob> ListV1Async(
        IBatchApi api, string? directoryId, string jobType, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var offset = 0; ;)
        {
            var page = await api.ListV1BatchesAsync(directoryId, jobType, V1PageSize, offset, cancellationToken);
            foreach (var job in page.Items)
            {
                yield return job;
            }

            offset += page.Items.Count;
            if (offset >= page.TotalSize)
            {
                yield break;
            }

            if (page.Items.Count == 0)
            {
                var what = $"the v1 {jobType} jobs{(directoryId is null ? "" : $" over directory {directoryId}")}";
                throw new LlamaCloudTransientException($"{ListedShort(what, offset, page.TotalSize)}; reading the list again later", null);
            }
        }
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

        var source = SourceOf(batch);
        var config = batch.JobType == BatchJobTypes.V1Classify
            ? V1JobConfig.Classify(
                // The classify job's project_id is the project it runs in: the scope's, or, for the key's own
                // project (whose id we were never told), the one LlamaCloud reports for the batch's directory.
                batch.Scope.ProjectId ?? (await api.GetDirectoryAsync(directoryId, cancellationToken)).ProjectId,
                llamaCloud.Value.V1UserId,
                [.. source?.ClassifyRules.Select(r => new V1ClassifyRule(r.Type, r.Description)) ?? []])
            // The tier the batch was planned, reserved and fingerprinted at, as a v2 batch is sent under its own
            // configuration id: a tier changed since is the next batch's (docs/operations.md, "Reprocessing after a
            // configuration change").
            : V1JobConfig.Parse(batch.V1ParseTier);
        var v1 = ScopeOf(batch) == V1Scope.Items
            ? new V1CreateRequest(config, ItemIds: itemIds)
            : new V1CreateRequest(config, DirectoryId: directoryId, PageSize: source?.V1PageSize, ContinueAsNewThreshold: source?.V1ContinueAsNewThreshold);
        return ToHandle(await api.CreateV1BatchAsync(v1, cancellationToken));
    }

    public async Task<BatchState> GetStateAsync(ProjectScope scope, string jobType, string remoteId, CancellationToken cancellationToken) =>
        BatchJobTypes.IsV1(jobType)
            ? RemoteBatchStatus.FromV1((await apis.For(scope).GetV1BatchAsync(remoteId, cancellationToken)).Job.Status)
            : RemoteBatchStatus.ToState((await apis.For(scope).GetBatchAsync(remoteId, expandResults: false, cancellationToken)).Status);

    /// <summary>
    /// The batch's status and, once terminal, what it decided for each file. <c>results</c> (v2) and an
    /// item's <c>job_id</c> (v1) are optional in the SDK's types: a terminal batch whose answer lacks them
    /// is listed short, read again for as long as the record step waits for a list to catch up (BatchResultRecorder),
    /// never recorded at once as "no result for any file".
    /// </summary>
    public async Task<(BatchState State, IReadOnlyList<FileResult> Results, string? ListedShort)> GetResultsAsync(
        ProjectScope scope, string jobType, string remoteId, CancellationToken cancellationToken)
    {
        var api = apis.For(scope);
        if (!BatchJobTypes.IsV1(jobType))
        {
            var remote = await api.GetBatchAsync(remoteId, expandResults: true, cancellationToken);
            var state = RemoteBatchStatus.ToState(remote.Status);
            // Thrown for good, such a batch was never recorded: its files stayed Submitted, its run open, a mirror's next
            // batch waiting behind it, with nothing an operator could do but wait for LlamaCloud to forget it (a batch failed
            // or cancelled before mapping a file may well answer so).
            var unlisted = state.IsTerminal() && remote.Results is null ? $"batch {remoteId} is {remote.Status} but its answer lists no results" : null;
            return (state, [.. (remote.Results ?? []).Select(FileResult.FromV2)], unlisted);
        }

        var v1State = RemoteBatchStatus.FromV1((await api.GetV1BatchAsync(remoteId, cancellationToken)).Job.Status);
        var results = new List<FileResult>();
        if (!v1State.IsTerminal())
        {
            return (v1State, results, null);
        }

        // An item completed without its job_id (optional in the SDK) has no reference to follow up yet. Read again, as a list
        // cut short is, for as long as the record step waits for one (BatchResultRecorder); then it is left out as a file the
        // batch said nothing of. Thrown for the whole batch, one such item kept every other file unrecorded for good.
        var unnamed = new List<V1Item>();
        for (var offset = 0; ;)
        {
            var page = await api.ListV1ItemsAsync(remoteId, V1PageSize, offset, cancellationToken);
            unnamed.AddRange(page.Items.Where(FileResult.LacksJobId));
            results.AddRange(page.Items.Where(i => !FileResult.LacksJobId(i)).Select(i => FileResult.FromV1(i, jobType)).OfType<FileResult>());
            offset += page.Items.Count;
            if (offset >= page.TotalSize)
            {
                return (v1State, results, Unnamed(remoteId, unnamed));
            }

            // Taken as whole, the items left out would be files this batch said nothing of: sent again, paid again. The
            // record step decides how long to read again (BatchResultRecorder).
            if (page.Items.Count == 0)
            {
                var shortBy = ListedShort($"the items of v1 job {remoteId}", offset, page.TotalSize);
                return (v1State, results, Unnamed(remoteId, unnamed) is { } also ? $"{shortBy}; {also}" : shortBy);
            }
        }
    }

    private static string? Unnamed(string remoteId, List<V1Item> unnamed) => unnamed.Count == 0
        ? null
        : string.Create(
            CultureInfo.InvariantCulture,
            $"{unnamed.Count} items of v1 job {remoteId} are completed but name no job_id yet (the first, {unnamed[0].ItemId})");

    private static string ListedShort(string what, int listed, int total) =>
        string.Create(CultureInfo.InvariantCulture, $"LlamaCloud listed {listed} of {total} of {what} (total_size) and then nothing more");

    /// <summary>
    /// Asks LlamaCloud to stop the batch; files that finished keep their results. A batch already
    /// terminal is refused with a code no source names (400, 409 or 422, docs/llamacloud-api.md §11.2):
    /// whichever it is, a batch found terminal on a second look counts as cancelled-or-done, and that status is returned
    /// (null: the cancel was taken).
    /// </summary>
    public async Task<BatchState?> CancelAsync(ProjectScope scope, string jobType, string remoteId, CancellationToken cancellationToken)
    {
        var api = apis.For(scope);
        try
        {
            if (BatchJobTypes.IsV1(jobType))
            {
                await api.CancelV1BatchAsync(remoteId, cancellationToken);
            }
            else
            {
                await api.CancelBatchAsync(remoteId, cancellationToken);
            }
        }
        catch (LlamaCloudRejectedException ex) when (ex.IsRefusal)
        {
            var state = await GetStateAsync(scope, jobType, remoteId, cancellationToken);
            if (!state.IsTerminal())
            {
                throw;
            }

            return state;
        }

        return null;
    }

    private SourceOptions? SourceOf(BatchRecord batch) => sources.CurrentValue.Find(batch.Source);

    // As the batch was planned: the source's V1Scope changed since would have the look for an unanswered create search
    // the wrong way, miss the job an earlier attempt made, and create a second. A batch planned before batches recorded
    // it has the source's setting.
    private V1Scope ScopeOf(BatchRecord batch) => batch.V1Scope ?? SourceOf(batch)?.V1Scope ?? V1Scope.Directory;

    private static string DirectoryOf(BatchRecord batch) =>
        batch.RemoteDirectoryId ?? throw new InvalidOperationException($"Batch {batch.Id} has no remote directory yet");

    private static RemoteBatchHandle ToHandle(RemoteBatch batch) => new(batch.Id, RemoteBatchStatus.ToState(batch.Status), batch.CreatedAt);

    private static RemoteBatchHandle ToHandle(V1BatchJob job) => new(job.Id, RemoteBatchStatus.FromV1(job.Status), job.CreatedAt);
}
