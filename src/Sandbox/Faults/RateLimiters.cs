using System.Threading.RateLimiting;

namespace BatchOrchestrator.Sandbox.Faults;

/// <summary>
/// One fixed-window limiter per route group and project, made on first use and all dropped when the
/// rules change. LlamaCloud's limits are per project (docs/llamacloud-api.md §1.4), so two projects
/// each get the whole limit, whichever keys they are reached with.
/// </summary>
internal sealed class RateLimiters(FaultState faults, SandboxCounters counters) : IDisposable
{
    private readonly Lock _gate = new();
    private IReadOnlyDictionary<string, RateLimitRule>? _rules;
    private Dictionary<(string Group, string Project), FixedWindowRateLimiter> _limiters = [];

    /// <summary>The group a route belongs to: uploads, batch_creates, job_creates or other.</summary>
    public static string GroupOf(string routeKey) => routeKey switch
    {
        "POST /api/v1/beta/directories/{directory_id}/files/upload" or "POST /api/v1/beta/files" or "POST /api/v2/parse/upload" => "uploads",
        "POST /api/v2/batches" or "POST /api/v1/beta/batch-processing" => "batch_creates",
        "POST /api/v2/parse" or "POST /api/v2/extract" => "job_creates",
        _ => "other",
    };

    /// <summary>Takes a permit of the project's limiter; when refused, returns the rule and how long until the window reopens.</summary>
    public (bool Acquired, RateLimitRule? Rule, TimeSpan RetryAfter) TryAcquire(string routeKey, string project)
    {
        var group = GroupOf(routeKey);
        FixedWindowRateLimiter? limiter = null;
        RateLimitRule? rule;
        lock (_gate)
        {
            var rules = faults.Current.RateLimits;
            if (!ReferenceEquals(rules, _rules))
            {
                Rebuild(rules);
            }

            if (rules.TryGetValue(group, out rule) && rule.PermitLimit > 0 && !_limiters.TryGetValue((group, project), out limiter))
            {
                limiter = new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
                {
                    PermitLimit = rule.PermitLimit,
                    Window = rule.Window,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
                _limiters[(group, project)] = limiter;
            }
        }

        if (limiter is null || rule is null)
        {
            return (true, null, TimeSpan.Zero);
        }

        using var lease = limiter.AttemptAcquire();
        var key = $"{group}/{project}";
        if (lease.IsAcquired)
        {
            // Permits given out in the current window, as the limiter counts them.
            counters.SetMax(Counter.RateLimitPeakByProject, key, rule.PermitLimit - (limiter.GetStatistics()?.CurrentAvailablePermits ?? 0));
            return (true, rule, TimeSpan.Zero);
        }

        counters.AddTo(Counter.RateLimitedByProject, key);
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : rule.Window;
        return (false, rule, retryAfter);
    }

    /// <summary>Starts every window afresh (POST /_sandbox/reset).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            Rebuild(faults.Current.RateLimits);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var limiter in _limiters.Values)
            {
                limiter.Dispose();
            }

            _limiters.Clear();
        }
    }

    private void Rebuild(IReadOnlyDictionary<string, RateLimitRule> rules)
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }

        _limiters = [];
        _rules = rules;
    }
}
