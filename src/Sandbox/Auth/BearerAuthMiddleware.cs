using System.Security.Cryptography;
using System.Text;
using BatchOrchestrator.Sandbox.Hosting;

namespace BatchOrchestrator.Sandbox.Auth;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c> on every /api request when a key is configured
/// (docs/llamacloud-api.md §1.1). The answer never echoes what was sent, and nothing here logs the key.
/// </summary>
internal sealed class BearerAuthMiddleware(RequestDelegate next, SandboxOptions options)
{
    private readonly byte[]? _expected = string.IsNullOrEmpty(options.ApiKey) ? null : Encoding.UTF8.GetBytes(options.ApiKey);

    public async Task InvokeAsync(HttpContext context)
    {
        if (_expected is null || !RouteKeys.IsApi(context) || IsAuthorized(context.Request.Headers.Authorization.ToString()))
        {
            await next(context);
            return;
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        await ApiErrors.WriteDetailAsync(context.Response, StatusCodes.Status401Unauthorized, "Invalid or missing API key");
    }

    private bool IsAuthorized(string header)
    {
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = Encoding.UTF8.GetBytes(header[scheme.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(presented, _expected);
    }
}
