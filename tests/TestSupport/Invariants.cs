using System.Net.Http.Headers;
using BatchOrchestrator.Core.Lifecycle;

namespace BatchOrchestrator.TestSupport;

/// <summary>
/// The global invariants every fault test ends with (docs/reliability.md §4.2), checked in one place on our
/// tables and the Sandbox's own counters: every file ends in exactly one terminal state with its reason (I2),
/// every eligible file has its one version (I1), uploads per unique id are at most one plus the crashes that
/// may have hit them (I3), no batch is created twice, no job reference lacks its remote job (I4), and no lease
/// outlives its time to live (I5).
/// </summary>
public static class Invariants
{
    private static readonly string[] Ended = [.. FileVersionLifecycle.Ended.Select(s => s.ToString())];

    /// <summary>Every violation found (empty when all hold); <see cref="AssertHoldAsync"/> fails the test with them.</summary>
    public static async Task<IReadOnlyList<string>> ViolationsAsync(TestDatabase database, SandboxAdmin sandbox, InvariantOptions options)
    {
        var violations = new List<string>();

        // I2: one terminal state each, with what it says (a job reference, or a reason; a failure has its class).
        violations.AddRange(await database.ListAsync(
            """
            select format('I2: file version %s (%s) is %s%s', id, relative_path, state,
                   case when state = 'Succeeded' then ' without a job reference'
                        when state in ('Failed', 'Skipped') then ' without a reason'
                        when state = 'Failed' then ' without an error class' else ', not a terminal state' end)
            from orchestrator.file_version
            where state <> all($1)
               or (state = 'Succeeded' and job_id is null)
               or (state in ('Failed', 'Skipped') and error_message is null)
               or (state = 'Failed' and error_class is null)
            order by id
            """,
            r => r.GetString(0),
            (object)Ended));
        violations.AddRange(await database.ListAsync(
            "select format('I2: batch %s is %s, not ended', id, state) from orchestrator.batch where state <> 'ResultsRecorded' order by id",
            r => r.GetString(0)));

        // I1: each file the test left on disk has exactly one version of its content, and no two rows share one.
        foreach (var (path, sha256) in options.EligibleFiles ?? [])
        {
            var rows = await database.ScalarAsync<long>(
                "select count(*) from orchestrator.file_version where relative_path = $1 and sha256 = $2", path, sha256);
            if (rows != 1)
            {
                violations.Add($"I1: {path} has {rows} versions of its final content, not one");
            }
        }

        // I3 and "no batch twice": the Sandbox's own count of what took effect.
        var counters = await sandbox.CountersAsync();
        violations.AddRange(counters.UploadsByUniqueId
            .Where(u => u.Value > 1 + options.CrashesThatMayHitAnUpload)
            .Select(u => $"I3: {u.Key} was uploaded {u.Value} times (allowed: 1 + {options.CrashesThatMayHitAnUpload} crashes)"));
        violations.AddRange(counters.BatchCreatesByDirectory.Where(b => b.Value > 1).Select(b => $"a batch was created {b.Value} times over directory {b.Key}"));
        var recorded = await database.ScalarAsync<long>("select count(*) from orchestrator.batch where remote_batch_id is not null");
        if (counters.BatchCreatesTotal != recorded)
        {
            violations.Add($"LlamaCloud created {counters.BatchCreatesTotal} batches, our rows record {recorded}");
        }

        // I4: every job reference we recorded is a job LlamaCloud has.
        var jobs = await database.ListAsync(
            "select distinct job_id from orchestrator.batch_result where job_id is not null union select job_id from orchestrator.file_version where job_id is not null",
            r => r.GetString(0));
        foreach (var job in jobs)
        {
            if (!await options.JobExistsAsync(job))
            {
                violations.Add($"I4: job reference {job} has no job at LlamaCloud");
            }
        }

        // I5: no lease reaches further than one time to live from now (a dead holder cannot renew it), and once
        // the work has stopped none outlives it.
        var ttlSeconds = options.LeaseTimeToLive.TotalSeconds;
        violations.AddRange(await database.ListAsync(
            "select format('I5: lease %s expires %s, beyond its time to live', name, expires_at) from orchestrator.lease where expires_at > now() + make_interval(secs => $1)",
            r => r.GetString(0),
            ttlSeconds + 1));
        if (options.Quiet)
        {
            try
            {
                await Eventually.WaitAsync(
                    () => database.ListAsync("select name from orchestrator.lease where expires_at > now()", r => r.GetString(0)),
                    held => held.Count == 0,
                    options.LeaseTimeToLive + TimeSpan.FromSeconds(5),
                    "every lease to lapse once the work has stopped");
            }
            catch (TimeoutException ex)
            {
                violations.Add("I5: " + ex.Message);
            }
        }

        return violations;
    }

    public static async Task AssertHoldAsync(TestDatabase database, SandboxAdmin sandbox, InvariantOptions options)
    {
        var violations = await ViolationsAsync(database, sandbox, options);
        if (violations.Count > 0)
        {
            throw new InvariantsBrokenException($"{violations.Count} invariant(s) broken:\n" + string.Join('\n', violations.Take(40)));
        }
    }

    /// <summary>Asks the Sandbox's API (as a client would, with the key) whether a parse job exists.</summary>
    public static Func<string, Task<bool>> ParseJobLookup(Uri sandbox, string apiKey)
    {
        var http = new HttpClient { BaseAddress = sandbox };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return async job =>
        {
            using var response = await http.GetAsync(new Uri($"api/v2/parse/{Uri.EscapeDataString(job)}", UriKind.Relative));
            return response.IsSuccessStatusCode;
        };
    }
}

/// <summary>What a fault test tells the checker: the files it left, the crashes it caused, the lease time to live.</summary>
public sealed record InvariantOptions(Func<string, Task<bool>> JobExistsAsync, TimeSpan LeaseTimeToLive)
{
    /// <summary>Path and SHA-256 of every file the test left in the source folder (null: not checked).</summary>
    public IReadOnlyList<(string Path, byte[] Sha256)>? EligibleFiles { get; init; }

    /// <summary>Kills or crashes that may have cut an upload short (each may have sent one file once more).</summary>
    public int CrashesThatMayHitAnUpload { get; init; }

    /// <summary>The work has stopped: every lease must lapse within its time to live.</summary>
    public bool Quiet { get; init; }

    /// <summary>Every regular file under <paramref name="folder"/>, as the checker's eligible files.</summary>
    public static IReadOnlyList<(string Path, byte[] Sha256)> FilesIn(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => (Path.GetRelativePath(folder, f), System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))))];
}

/// <summary>Thrown when a fault test ends with invariants broken; its message lists each.</summary>
public sealed class InvariantsBrokenException(string message) : Exception(message);
