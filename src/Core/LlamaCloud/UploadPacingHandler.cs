using System.Net;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// Paces file uploads through the process-wide <see cref="UploadPace"/>. It sits inside
/// <see cref="RetryHandler"/>, so every attempt (a retry too) takes its turn; it never retries itself:
/// one retry layer per failure mode.
/// </summary>
internal sealed class UploadPacingHandler(UploadPace pace, TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.IsUpload())
        {
            return await base.SendAsync(request, cancellationToken);
        }

        await pace.WaitAsync(cancellationToken);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            pace.OnThrottled(RetryDelay.FromHeaders(response.Headers, time.GetUtcNow()));
        }

        return response;
    }
}
