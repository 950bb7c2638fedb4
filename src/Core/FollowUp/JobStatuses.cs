using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// Reads many jobs' statuses in one request per page (<c>GET /api/v2/parse?job_ids=…&amp;job_ids=…</c>,
/// and the extract equivalent; docs/llamacloud-api.md §6.1, §7), so a follow-up look at jobs still running
/// costs a request per page instead of one per job, and only finished jobs have their results fetched.
/// A job the list does not name, or a list that fails, is simply not known here: the caller then reads
/// that job by itself, as it would without this.
/// </summary>
internal sealed class JobStatuses(IBatchApis apis, IOptions<FollowUpOptions> options, ILogger<JobStatuses> logger) : IJobStatuses
{
    public async Task<IReadOnlyDictionary<string, JobStatus>> ReadAsync(FollowUpWork work, IReadOnlyList<FollowUpItem> items, CancellationToken cancellationToken)
    {
        var known = new Dictionary<string, JobStatus>(StringComparer.Ordinal);
        var api = apis.For(work.Scope);
        // Jobs of no file of ours too (a RemoteOnly directory's): their results reach no sink, but how they ended counts.
        foreach (var group in items.GroupBy(i => Product(i.JobType)).Where(g => g.Key is not null))
        {
            foreach (var ids in group.Select(i => i.JobId).Distinct(StringComparer.Ordinal).Chunk(options.Value.StatusPageSize))
            {
                try
                {
                    await ReadPagesAsync(api, group.Key!.Value, ids, known, cancellationToken);
                }
                catch (LlamaCloudException ex)
                {
                    // Not fatal: each of these jobs is then read by itself.
                    logger.LogWarning("Reading the statuses of {Count} {Product} jobs at once failed ({Reason}); reading them one by one", ids.Length, group.Key, ex.Message);
                }
            }
        }

        return known;
    }

    private static async Task ReadPagesAsync(IBatchApi api, JobProduct product, string[] ids, Dictionary<string, JobStatus> known, CancellationToken cancellationToken)
    {
        var wanted = ids.ToHashSet(StringComparer.Ordinal);
        string? token = null;
        do
        {
            if (product == JobProduct.Parse)
            {
                var page = await api.ListParseJobsAsync(ids, token, cancellationToken);
                foreach (var job in page.Items.Where(j => wanted.Contains(j.Id)))
                {
                    known[job.Id] = new JobStatus(job.Status, job.ErrorMessage);
                }

                token = page.Items.Count == 0 ? null : page.NextPageToken;
            }
            else
            {
                var page = await api.ListExtractJobsAsync(ids, token, cancellationToken);
                foreach (var job in page.Items.Where(j => wanted.Contains(j.Id)))
                {
                    known[job.Id] = new JobStatus(job.Status, job.ErrorMessage);
                }

                token = page.Items.Count == 0 ? null : page.NextPageToken;
            }
        }
        while (!string.IsNullOrEmpty(token) && !ids.All(known.ContainsKey));
    }

    /// <summary>One job's status, read by itself; null for a v1 classification, which has no job of its own to read (its label is in its results).</summary>
    public static async Task<JobStatus?> ReadOneAsync(IBatchApi api, string jobType, string jobId, CancellationToken cancellationToken)
    {
        switch (Product(jobType))
        {
            case JobProduct.Extract:
                var extract = await api.GetExtractJobAsync(jobId, cancellationToken);
                return new JobStatus(extract.Status, extract.ErrorMessage);
            case JobProduct.Parse:
                var parse = (await api.GetParseJobAsync(jobId, [], cancellationToken)).Job;
                return new JobStatus(parse.Status, parse.ErrorMessage);
            default:
                return null;
        }
    }

    /// <summary>Parse jobs (v2, and v1 parse items, which run as v2 parse jobs), extract jobs; v1 classifications have no list.</summary>
    private static JobProduct? Product(string jobType) => jobType switch
    {
        "parse_v2" or BatchJobTypes.V1Parse => JobProduct.Parse,
        "extract_v2" => JobProduct.Extract,
        _ => null,
    };

    private enum JobProduct
    {
        Parse,
        Extract,
    }
}
