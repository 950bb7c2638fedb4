using BatchOrchestrator.Core.Webhooks;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Webhooks;

/// <summary>
/// Mounts the LlamaCloud webhook receiver at <c>Webhooks:Path</c> when <c>Webhooks:PublicUrl</c> is
/// set. Open to any caller (LlamaCloud is not local), so every request is authenticated by its
/// <c>LC-Signature</c>; the body is read raw, bounded, because the signature covers its exact bytes.
/// </summary>
internal sealed class WebhookEndpoint(IOptions<WebhookOptions> options) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        var settings = options.Value;
        if (settings.Enabled)
        {
            app.Map(settings.Path, branch => branch.Run(context => HandleAsync(context, settings.MaxBodyBytes)));
        }

        next(app);
    };

    private static async Task HandleAsync(HttpContext context, int maxBodyBytes)
    {
        var response = context.Response;
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        if (context.Request.ContentLength > maxBodyBytes)
        {
            response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        var receiver = context.RequestServices.GetRequiredService<WebhookReceiver>();
        var signature = context.Request.Headers[WebhookSignature.Header].FirstOrDefault();
        if (!WebhookSignature.IsWellFormed(signature))
        {
            receiver.Refused(context.Request.ContentLength, signature); // refused unread: no memory held for an unsigned caller
            response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var body = await ReadBoundedAsync(context.Request.Body, maxBodyBytes, context.RequestAborted);
        if (body is null)
        {
            response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        var verdict = await receiver.ReceiveAsync(body, signature, context.RequestAborted);
        response.StatusCode = verdict switch
        {
            WebhookVerdict.Unauthorized => StatusCodes.Status401Unauthorized,
            WebhookVerdict.Unreadable => StatusCodes.Status400BadRequest,
            _ => StatusCodes.Status200OK,
        };
    }

    private static async Task<byte[]?> ReadBoundedAsync(Stream body, int maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
