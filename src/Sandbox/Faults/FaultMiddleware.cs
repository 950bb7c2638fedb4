using System.Globalization;
using BatchOrchestrator.Sandbox.Hosting;
using Microsoft.AspNetCore.Http.Features;

namespace BatchOrchestrator.Sandbox.Faults;

/// <summary>
/// Rate limits, then the seeded faults: latency, dropped connections, 429s and 5xx before the
/// request takes effect; slow body reads; and after it took effect a 5xx, a dropped connection,
/// or a truncated / malformed JSON body.
/// </summary>
internal sealed class FaultMiddleware(RequestDelegate next, FaultState faults, RateLimiters limiters, SandboxCounters counters)
{
    /// <summary>HttpContext.Items key set when a fault dropped the connection.</summary>
    public const string DroppedKey = "sandbox.dropped";

    public async Task InvokeAsync(HttpContext context)
    {
        if (!RouteKeys.IsApi(context))
        {
            await next(context);
            return;
        }

        var routeKey = RouteKeys.Of(context);
        var (acquired, rule, retryAfter) = limiters.TryAcquire(routeKey, Projects.RequestProject.Of(context).Id);
        if (!acquired)
        {
            counters.Add(Counter.RateLimited);
            var window = rule!.Window.TotalSeconds.ToString(CultureInfo.InvariantCulture);
            await TooManyRequestsAsync(
                context, retryAfter, faults.Current.RetryAfterFormat, null, $"Rate limit exceeded: {rule.PermitLimit} requests per {window} s for {RateLimiters.GroupOf(routeKey)} in this project");
            return;
        }

        var isUpload = context.Request.ContentType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) == true;
        var plan = faults.Plan(routeKey, isUpload);
        foreach (var kind in plan.Kinds())
        {
            counters.AddTo(Counter.FaultsInjected, kind);
        }

        if (plan.Delay > TimeSpan.Zero)
        {
            await Task.Delay(plan.Delay, context.RequestAborted);
        }

        if (plan.DropBefore)
        {
            Drop(context);
            return;
        }

        if (plan.TooManyRequests)
        {
            await TooManyRequestsAsync(context, plan.RetryAfter, plan.RetryAfterFormat, plan.ShouldRetryHeader, "Too many requests");
            return;
        }

        if (plan.ErrorBefore is { } before)
        {
            ShouldRetry(context, plan.ShouldRetryHeader);
            await ApiErrors.WriteDetailAsync(context.Response, before, ReasonFor(before));
            return;
        }

        if (plan.SlowUploadBytesPerSecond > 0)
        {
            context.Request.Body = new ThrottledReadStream(context.Request.Body, plan.SlowUploadBytesPerSecond);
        }

        if (!plan.NeedsResponseBuffer)
        {
            await next(context);
            return;
        }

        await RunBufferedAsync(context, plan);
    }

    private async Task RunBufferedAsync(HttpContext context, RequestFaultPlan plan)
    {
        var original = context.Features.Get<IHttpResponseBodyFeature>()!;
        using var buffer = new MemoryStream();
        var buffering = new StreamResponseBodyFeature(buffer, original);
        context.Features.Set<IHttpResponseBodyFeature>(buffering);
        try
        {
            await next(context);
            await buffering.CompleteAsync();
        }
        finally
        {
            context.Features.Set(original);
        }

        if (plan.DropAfter)
        {
            Drop(context);
            return;
        }

        var response = context.Response;
        if (plan.ErrorAfter is { } after)
        {
            response.Clear();
            ShouldRetry(context, plan.ShouldRetryHeader);
            await ApiErrors.WriteDetailAsync(response, after, ReasonFor(after));
            return;
        }

        var body = buffer.ToArray();
        var isJson = response.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true;
        if (isJson && response.StatusCode is >= 200 and < 300 && body.Length > 1)
        {
            body = plan.Truncate ? body[..(body.Length / 2)] : Malform(body);
        }

        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>
    /// Counts the drop, marks the request and aborts the connection. The count comes first: the
    /// client sees the reset at once and may read the counters before this request unwinds.
    /// </summary>
    private void Drop(HttpContext context)
    {
        counters.AddTo(Counter.ResponsesByStatus, "dropped");
        context.Items[DroppedKey] = true;
        context.Abort();
    }

    /// <summary>Same length, no longer JSON: the first ':' becomes '=' (or the body gains a stray brace).</summary>
    private static byte[] Malform(byte[] body)
    {
        var index = Array.IndexOf(body, (byte)':');
        if (index < 0)
        {
            return [.. body, (byte)'}'];
        }

        body[index] = (byte)'=';
        return body;
    }

    private static async Task TooManyRequestsAsync(HttpContext context, TimeSpan retryAfter, string format, bool? shouldRetry, string detail)
    {
        // Retry-After is whole seconds (rounded up) or an HTTP date; retry-after-ms is what the SDKs read first
        // (TypeScript SDK 2.16.0 client.js). Which the service sends is undocumented. A wait of zero is sent as 0,
        // which the SDK takes as "retry at once" (docs/llamacloud-api.md §1.4), so clients can be tested against it.
        var headers = context.Response.Headers;
        var seconds = Math.Max(0, (long)Math.Ceiling(retryAfter.TotalSeconds));
        if (format is "seconds_and_ms" or "seconds")
        {
            headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        if (format is "seconds_and_ms" or "ms")
        {
            headers["Retry-After-Ms"] = Math.Max(0, (long)Math.Ceiling(retryAfter.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (format == "date")
        {
            headers.RetryAfter = DateTimeOffset.UtcNow.AddSeconds(seconds + 1).ToString("R", CultureInfo.InvariantCulture);
        }

        ShouldRetry(context, shouldRetry);
        await ApiErrors.WriteDetailAsync(context.Response, StatusCodes.Status429TooManyRequests, detail);
    }

    private static void ShouldRetry(HttpContext context, bool? shouldRetry)
    {
        if (shouldRetry is { } value)
        {
            context.Response.Headers["x-should-retry"] = value ? "true" : "false";
        }
    }

    private static string ReasonFor(int status) => status switch
    {
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        400 or 409 or 422 => "Refused",
        _ => "Internal Server Error",
    };
}
