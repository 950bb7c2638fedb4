using System.Net;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// Paces file uploads through their project's <see cref="UploadPace"/>. It sits inside the resilience
/// pipeline (<see cref="LlamaCloudPipeline"/>), so every attempt (a retry too) takes its turn; it never
/// retries itself: one retry layer per failure mode.
/// </summary>
internal sealed class UploadPacingHandler(UploadPaces paces, RetryTiming timing) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.IsUpload())
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var pace = paces.For(request.GetScope());
        await pace.WaitAsync(request.GetLane(), cancellationToken);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var hint = timing.Hint(response);
            pace.OnThrottled(hint);
            await pace.ShareThrottleAsync(hint, cancellationToken);
        }

        return response;
    }
}
