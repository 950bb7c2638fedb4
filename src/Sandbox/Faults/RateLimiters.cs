using System.Threading.RateLimiting;

namespace BatchOrchestrator.Sandbox.Faults;

/// <summary>
/// One fixed-window limiter per route group, rebuilt when the rules change. There is one
/// project per Sandbox, and LlamaCloud's limits are per project (LLAMACLOUD.md §1.4), so a
/// group's limiter is shared by every key.
/// </summary>
internal sealed class RateLimiters(FaultState faults) : IDisposable
{
    private readonly Lock _gate = new();
    private IReadOnlyDictionary<string, RateLimitRule>? _rules;
    private Dictionary<string, FixedWindowRateLimiter> _limiters = new(StringComparer.Ordinal);

    /// <summary>The group a route belongs to: uploads, batch_creates, job_creates or other.</summary>
    public static string GroupOf(string routeKey) => routeKey switch
    {
        "POST /api/v1/beta/directories/{directory_id}/files/upload" or "POST /api/v1/beta/files" or "POST /api/v2/parse/upload" => "uploads",
        "POST /api/v2/batches" or "POST /api/v1/beta/batch-processing" => "batch_creates",
        "POST /api/v2/parse" or "POST /api/v2/extract" => "job_creates",
        _ => "other",
    };

    /// <summary>Takes a permit; when refused, returns the rule and how long until the window reopens.</summary>
    public (bool Acquired, RateLimitRule? Rule, TimeSpan RetryAfter) TryAcquire(string routeKey)
    {
        var group = GroupOf(routeKey);
        FixedWindowRateLimiter? limiter;
        RateLimitRule? rule;
        lock (_gate)
        {
            var rules = faults.Current.RateLimits;
            if (!ReferenceEquals(rules, _rules))
            {
                Rebuild(rules);
            }

            _limiters.TryGetValue(group, out limiter);
            rules.TryGetValue(group, out rule);
        }

        if (limiter is null || rule is null)
        {
            return (true, null, TimeSpan.Zero);
        }

        using var lease = limiter.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return (true, rule, TimeSpan.Zero);
        }

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

        _limiters = rules
            .Where(pair => pair.Value.PermitLimit > 0)
            .ToDictionary(
                pair => pair.Key,
                pair => new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
                {
                    PermitLimit = pair.Value.PermitLimit,
                    Window = pair.Value.Window,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }),
                StringComparer.Ordinal);
        _rules = rules;
    }
}
