using System.Text.RegularExpressions;

namespace BatchOrchestrator.Sandbox.Faults;

/// <summary>
/// The live fault settings and the seeded random sources behind them. Request faults and
/// processing outcomes draw from separate generators, so the per-file failures of a run do not
/// depend on how many polls happened to interleave with it.
/// </summary>
internal sealed class FaultState
{
    private static readonly string[] FileFailureMessages =
    [
        "Failed to parse document: the file appears to be corrupted",
        "Document is password protected",
        "Processing timed out after 1800 seconds",
        "Page limit exceeded: the document has more pages than the plan allows",
        "Unable to extract text: the document contains only unreadable scanned images",
    ];

    private readonly Lock _gate = new();
    private readonly FaultSettings _startup;
    private FaultSettings _current;
    private Random _requests;
    private Random _processing;
    private TaskCompletionSource _holdReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Random _webhooks;

    public FaultState(SandboxOptions options)
    {
        _startup = FaultSettings.From(options);
        _current = _startup;
        (_requests, _processing) = Generators(_startup.Seed);
        _webhooks = new Random(unchecked(_startup.Seed * 17) ^ 0x3c6ef372);
    }

    public FaultSettings Current
    {
        get { lock (_gate) { return _current; } }
    }

    public void Replace(FaultSettings settings)
    {
        lock (_gate)
        {
            if (settings.Seed != _current.Seed)
            {
                (_requests, _processing) = Generators(settings.Seed);
                _webhooks = new Random(unchecked(settings.Seed * 17) ^ 0x3c6ef372);
            }

            if (settings.HoldRequestsMatching != _current.HoldRequestsMatching || settings.HoldAfterEffect != _current.HoldAfterEffect)
            {
                ReleaseHeld();
            }

            _current = settings;
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _current = _startup;
            (_requests, _processing) = Generators(_startup.Seed);
            ReleaseHeld();
            _webhooks = new Random(unchecked(_startup.Seed * 17) ^ 0x3c6ef372);
        }
    }

    /// <summary>Completes when the hold in force now is lifted or changed (requests it held then go on).</summary>
    public Task HoldReleased
    {
        get { lock (_gate) { return _holdReleased.Task; } }
    }

    /// <summary>Whether a request ("METHOD /route/{pattern}?query") is to be held, and whether after its effect.</summary>
    public (bool Hold, bool AfterEffect, int AnswerStatus) HoldFor(string routeKeyWithQuery)
    {
        var s = Current;
        return (Matches(s.HoldRequestsMatching, routeKeyWithQuery), s.HoldAfterEffect, s.HoldAnswerStatus);
    }

    public RequestFaultPlan Plan(string routeKey, bool isUpload)
    {
        lock (_gate)
        {
            var s = _current;
            if (!s.AppliesTo(routeKey))
            {
                return RequestFaultPlan.None;
            }

            // Always draw the same number of values, so one setting does not shift the others' sequence.
            var draws = new double[9];
            for (var i = 0; i < draws.Length; i++)
            {
                draws[i] = _requests.NextDouble();
            }

            var burst = s.TooManyRequestsBurst > 0;
            if (burst)
            {
                _current = s with { TooManyRequestsBurst = s.TooManyRequestsBurst - 1 };
            }

            var codes = s.ErrorStatusCodes;
            return new RequestFaultPlan
            {
                Delay = s.Latency + (s.LatencyJitter * draws[0]),
                DropBefore = draws[1] < s.DropConnectionRate,
                TooManyRequests = burst || draws[2] < s.TooManyRequestsRate,
                RetryAfter = s.RetryAfter,
                RetryAfterFormat = s.RetryAfterFormat,
                ShouldRetryHeader = s.ShouldRetryHeader,
                ErrorBefore = draws[3] < s.ErrorRate ? codes[(int)(draws[4] * codes.Count)] : null,
                ErrorAfter = draws[5] < s.ErrorAfterEffectRate ? codes[(int)(draws[4] * codes.Count)] : null,
                DropAfter = draws[6] < s.DropAfterEffectRate,
                Truncate = draws[7] < s.TruncatedJsonRate,
                Malform = draws[8] < s.MalformedJsonRate,
                SlowUploadBytesPerSecond = isUpload ? s.SlowUploadBytesPerSecond : 0,
            };
        }
    }

    /// <summary>Whether a new batch over this directory should end FAILED; consumes one of fail_next_batches.</summary>
    public bool TakeBatchFailure(string? directoryName)
    {
        lock (_gate)
        {
            if (_current.FailNextBatches > 0)
            {
                _current = _current with { FailNextBatches = _current.FailNextBatches - 1 };
                return true;
            }

            return Matches(_current.FailBatchesMatching, directoryName);
        }
    }

    /// <summary>The error a file's job will fail with, or null when it succeeds.</summary>
    public string? FileFailure(string displayName)
    {
        lock (_gate)
        {
            var draw = _processing.NextDouble();
            var pick = _processing.Next(FileFailureMessages.Length);
            return Matches(_current.FailFilesMatching, displayName) || draw < _current.FileFailureRate
                ? _current.FileFailureMessage ?? FileFailureMessages[pick]
                : null;
        }
    }

    /// <summary>Whether a file's job completes with empty content (the empty-results fault).</summary>
    public bool EmptyResult(string displayName)
    {
        lock (_gate)
        {
            return Matches(_current.EmptyResultsMatching, displayName);
        }
    }

    /// <summary>Whether a file's parse job completes with some pages failed (the failed-pages fault).</summary>
    public bool FailedPages(string displayName)
    {
        lock (_gate)
        {
            return Matches(_current.FailPagesMatching, displayName);
        }
    }

    /// <summary>The tier every job is billed at under the bill-at-tier fault, or null.</summary>
    public string? BillAtTier
    {
        get
        {
            lock (_gate)
            {
                return _current.BillAtTier;
            }
        }
    }

    /// <summary>Whether to drop a webhook delivery silently; draws only for a rate strictly between 0 and 1, so other sequences stay put.</summary>
    public bool DropWebhook()
    {
        lock (_gate)
        {
            return _current.WebhookDropRate switch
            {
                <= 0 => false,
                >= 1 => true,
                var rate => _webhooks.NextDouble() < rate,
            };
        }
    }

    /// <summary>A reproducible value in [0, 1) for simulated choices (e.g. classify labels).</summary>
    public double NextProcessingDouble()
    {
        lock (_gate)
        {
            return _processing.NextDouble();
        }
    }

    private void ReleaseHeld()
    {
        _holdReleased.TrySetResult();
        _holdReleased = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static bool Matches(string? pattern, string? value)
        => pattern is not null && value is not null && Regex.IsMatch(value, pattern, RegexOptions.None, TimeSpan.FromSeconds(1));

    private static (Random Requests, Random Processing) Generators(int seed)
        => (new Random(seed), new Random(unchecked(seed * 31) ^ 0x5bd1e995));
}
