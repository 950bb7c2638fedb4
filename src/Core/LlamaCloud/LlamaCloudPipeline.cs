using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Telemetry;
using Polly.Timeout;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// The LlamaCloud client's one retry layer, a Polly v8 pipeline built by Microsoft.Extensions.Http.Resilience:
/// retries as the TypeScript SDK 2.16.0 makes them (<see cref="RetryDecision"/>, <see cref="RetryDelay"/>),
/// hints beyond <c>LlamaCloud:MaxInProcessRetryWait</c> handed back instead of slept, a circuit breaker that
/// pauses the project (docs/resilience.md), and a timeout per attempt. One pipeline instance per project
/// (<see cref="ProjectScope.Key"/>), so the breaker trips for one project only.
/// </summary>
internal sealed class LlamaCloudPipeline(
    RetryTiming timing,
    IOptions<CircuitBreakerOptions> breaker,
    ProjectCircuits circuits,
    ProjectPauses pauses,
    ILogger<LlamaCloudPipeline> logger)
{
    public const string Name = "llamacloud";

    /// <summary>Adds the pipeline to the LlamaCloud HTTP client, selected per request by its project.</summary>
    public static void AddTo(IHttpClientBuilder client) =>
        client.AddResilienceHandler(Name, static (pipeline, context) =>
                context.ServiceProvider.GetRequiredService<LlamaCloudPipeline>().Configure(pipeline, context.InstanceName, context.ServiceProvider))
            .SelectPipelineBy(static _ => static request => request.GetScope().Key);

    internal void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, string project, IServiceProvider services)
    {
        // Polly reports every request at Information ("Resilience pipeline executed", and each attempt) and every
        // retry at Warning: a line per API call, ten thousand for a night's uploads, each formatted in the step
        // that made the call (bench/README.md, "A profile of uploads without a limit"). We log retries ourselves, with
        // the request they belong to, and the step logs what failed; so Polly's own lines for requests stay at
        // Debug. Polly reports its breaker opening at Error and half-opening at Warning (Polly.Core 8.9.1,
        // CircuitBreaker/Controller/CircuitStateController.cs), again at every failed trial of an outage; the pause
        // that follows is ours to report, once, at Warning with the project, its last error and the next probe
        // (ProjectPauses). So Polly's two lines are kept at Information, where they still place the breaker's moves
        // among the rest, and Error stays for what failed. Its other events keep their severity.
        var telemetry = services.GetService<IOptions<TelemetryOptions>>()?.Value ?? new TelemetryOptions { LoggerFactory = services.GetRequiredService<ILoggerFactory>() };
        pipeline.ConfigureTelemetry(new TelemetryOptions(telemetry)
        {
            SeverityProvider = static args => args.Event.EventName switch
            {
                "PipelineExecuting" or "PipelineExecuted" or "ExecutionAttempt" or "OnRetry" or "OnTimeout" => ResilienceEventSeverity.Debug,
                "OnCircuitOpened" or "OnCircuitHalfOpened" => ResilienceEventSeverity.Information,
                _ => args.Event.Severity,
            },
        });

        if (timing.MaxRetries > 0)
        {
            pipeline.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = timing.MaxRetries,
                ShouldHandle = args => ShouldRetryAsync(args.Outcome, args.Context),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(timing.Hint(args.Outcome.Result) ?? timing.Backoff(args.AttemptNumber)),
                OnRetry = args =>
                {
                    args.Context.GetRequestMessage()?.MarkRetried();
                    LogRetry(args, project);
                    return ValueTask.CompletedTask;
                },
            });
        }

        // Between the retries and the attempt timeout (the order of Microsoft's standard pipeline): every attempt
        // counts, a timed-out one too. While open, attempts fail at once with BrokenCircuitException, which the
        // retries leave alone and LlamaCloudClient hands back to the step as a deferral.
        var settings = breaker.Value;
        if (settings.Enabled)
        {
            pipeline.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = settings.FailureRatio,
                MinimumThroughput = settings.MinimumThroughput,
                SamplingDuration = settings.SamplingDuration,
                BreakDuration = settings.BreakDuration,
                ShouldHandle = args => ValueTask.FromResult(IsProviderFailure(args.Outcome)),
                OnOpened = async args =>
                {
                    var scope = args.Context.GetRequestMessage()?.GetScope() ?? ProjectScope.Default;
                    var error = Describe(args.Outcome);
                    var openedBy = args.Context.GetRequestMessage() is { } request ? ProjectCircuits.RequestKey(request) : null;
                    await pauses.PauseAsync(scope, PauseReason.CircuitOpen, circuits.Opened(project, scope, args.BreakDuration, error, openedBy), error);
                },
                OnClosed = async _ =>
                {
                    circuits.Closed(project);
                    await pauses.ResumeAsync(project, PauseReason.CircuitOpen, "its circuit closed after a request got an answer");
                },
            });
        }

        pipeline.AddTimeout(new TimeoutStrategyOptions { Timeout = timing.AttemptTimeout });
    }

    private async ValueTask<bool> ShouldRetryAsync(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        var request = context.GetRequestMessage();
        if (!RetryDecision.ShouldRetry(outcome.Result, outcome.Exception, request?.CreatesResourceFlag() ?? false))
        {
            return false;
        }

        // A quota error (a guess: a 429 that speaks of a quota) pauses the project; retrying it here would not help.
        if (outcome.Result is { } response && await ProviderRefusal.OfAsync(response, context.CancellationToken) is not null)
        {
            return false;
        }

        // A hint too long to sleep here goes back to the caller with the response (LlamaCloudClient reads it).
        return timing.Hint(outcome.Result) is not { } hint || timing.SleepsInProcess(hint);
    }

    /// <summary>What the breaker counts: server errors, 408, timeouts, connections that failed. Not a 429 or another 4xx: the service answered.</summary>
    private static bool IsProviderFailure(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Result: { } response } => (int)response.StatusCode >= 500 || response.StatusCode == System.Net.HttpStatusCode.RequestTimeout,
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        _ => false,
    };

    private string Describe(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Result: { } response } => $"HTTP {(int)response.StatusCode} from {response.RequestMessage?.RequestUri?.AbsolutePath}",
        { Exception: TimeoutRejectedException } => $"no answer within {timing.AttemptTimeout}",
        { Exception: { } ex } => ex.Message,
        _ => "unknown",
    };

    private void LogRetry(OnRetryArguments<HttpResponseMessage> args, string project)
    {
        var request = args.Context.GetRequestMessage();
        var outcome = args.Outcome.Result is { } response
            ? $"HTTP {(int)response.StatusCode}"
            : args.Outcome.Exception is TimeoutRejectedException ? $"no answer within {timing.AttemptTimeout}" : args.Outcome.Exception?.GetType().Name ?? "unknown";
        logger.LogWarning(
            "LlamaCloud {Method} {Path} in project {Project} failed with {Outcome}; retry {Retry} of {MaxRetries} in {Delay}",
            request?.Method, request?.RequestUri?.AbsolutePath, project, outcome, args.AttemptNumber + 1, timing.MaxRetries, args.RetryDelay);
    }
}
