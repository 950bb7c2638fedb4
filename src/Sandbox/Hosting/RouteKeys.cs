using Microsoft.AspNetCore.Routing;

namespace BatchOrchestrator.Sandbox.Hosting;

/// <summary>"METHOD /route/{pattern}": the key counters, fault filters and rate-limit groups use.</summary>
internal static class RouteKeys
{
    public static string Of(HttpContext context)
    {
        var pattern = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        return pattern is null
            ? $"{context.Request.Method} (unmatched)"
            : $"{context.Request.Method} {(pattern.StartsWith('/') ? pattern : "/" + pattern)}";
    }

    public static bool IsApi(HttpContext context) => context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal);
}
