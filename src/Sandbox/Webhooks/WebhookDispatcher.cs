using System.Net.Http.Headers;
using System.Threading.Channels;
using BatchOrchestrator.Sandbox.Faults;

namespace BatchOrchestrator.Sandbox.Webhooks;

/// <summary>
/// Sends webhook events in the background, retrying failures with exponential backoff
/// ("retried with exponential backoff", docs/llamacloud-api.md §1.6). With the out-of-order fault a
/// subject's events are held until its terminal event and then sent newest first.
/// </summary>
internal sealed partial class WebhookDispatcher(SandboxOptions options, FaultState faults, SandboxCounters counters, ILogger<WebhookDispatcher> logger)
    : BackgroundService
{
    private readonly Channel<WebhookDelivery> _queue = Channel.CreateUnbounded<WebhookDelivery>();
    private readonly Dictionary<string, List<WebhookDelivery>> _held = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = options.WebhookTimeout };

    /// <summary>Queues <paramref name="eventType"/> for every target that wants it; data is built only if one does.</summary>
    public void Publish(string subjectId, string? eventType, Func<JsonElement> data, IReadOnlyList<WebhookTarget> targets, bool terminal)
    {
        var wanted = eventType is null ? [] : targets.Where(t => t.Wants(eventType)).ToList();
        var deliveries = new List<WebhookDelivery>();
        if (wanted.Count > 0)
        {
            var payload = data();
            deliveries.AddRange(wanted.Select(t => new WebhookDelivery(eventType!, WebhookPayload.Body(eventType!, payload, t.OutputFormat), t, 1)));
        }

        lock (_gate)
        {
            if (faults.Current.WebhooksOutOfOrder || _held.ContainsKey(subjectId))
            {
                if (!_held.TryGetValue(subjectId, out var held))
                {
                    _held[subjectId] = held = [];
                }

                held.AddRange(deliveries);
                if (!terminal)
                {
                    return;
                }

                _held.Remove(subjectId);
                deliveries = [.. held.AsEnumerable().Reverse()];
            }
        }

        foreach (var delivery in deliveries)
        {
            _queue.Writer.TryWrite(delivery);
        }
    }

    /// <summary>Drops held events (POST /_sandbox/reset); queued ones still go out.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _held.Clear();
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var delivery in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            if (delivery.Attempt == 1 && faults.DropWebhook())
            {
                counters.AddTo(Counter.FaultsInjected, "webhook_dropped"); // never sent, never retried: a webhook that stopped
                continue;
            }

            if (await TrySendAsync(delivery, stoppingToken))
            {
                counters.Add(Counter.WebhookDeliveries, Counter.WebhookDeliveriesByEvent, delivery.EventType);
                continue;
            }

            counters.Add(Counter.WebhookDeliveryFailures);
            if (delivery.Attempt < options.WebhookMaxAttempts)
            {
                _ = RetryLaterAsync(delivery, stoppingToken);
            }
            else
            {
                LogGaveUp(delivery.EventType, delivery.Attempt);
            }
        }
    }

    private async Task RetryLaterAsync(WebhookDelivery delivery, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(options.WebhookRetryDelay * Math.Pow(2, delivery.Attempt - 1), stoppingToken);
            _queue.Writer.TryWrite(delivery with { Attempt = delivery.Attempt + 1 });
        }
        catch (OperationCanceledException)
        {
            // Shutting down: undelivered events go with the Sandbox.
        }
    }

    private async Task<bool> TrySendAsync(WebhookDelivery delivery, CancellationToken stoppingToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Target.Url) { Content = new ByteArrayContent(delivery.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in delivery.Target.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (!string.IsNullOrEmpty(delivery.Target.SigningSecret))
        {
            request.Headers.TryAddWithoutValidation("LC-Signature", WebhookPayload.Signature(delivery.Target.SigningSecret, delivery.Body));
        }

        try
        {
            using var response = await _http.SendAsync(request, stoppingToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
        {
            LogAttemptFailed(delivery.EventType, delivery.Attempt, ex.Message);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {EventType} attempt {Attempt} failed: {Reason}")]
    private partial void LogAttemptFailed(string eventType, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {EventType} given up after {Attempt} attempts")]
    private partial void LogGaveUp(string eventType, int attempt);
}
