using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace BatchOrchestrator.Sandbox.Http;

/// <summary>
/// Unknown paths and wrong methods answer as FastAPI does: 404 <c>{"detail": "Not Found"}</c> and 405
/// <c>{"detail": "Method Not Allowed"}</c> with an <c>Allow</c> header (docs/llamacloud-api.md §1.4).
/// Routing comes before any dependency in FastAPI, so these answers come before authentication too.
/// ASP.NET Core's router also matches a path in another case, or with a slash at its end, where FastAPI's does
/// neither: a path in another case is unknown, and one with a slash at its end is redirected (307) to the same path
/// without it.
/// </summary>
internal sealed class RouteMissMiddleware(RequestDelegate next)
{
    // ASP.NET Core's router picks this endpoint when a path matches but its method does not.
    private const string MethodNotAllowedEndpoint = "405 HTTP Method Not Supported";

    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        var path = context.Request.Path.Value ?? "/";
        var withoutSlash = path.Length > 1 && path.EndsWith('/') ? path.TrimEnd('/') : path;
        if (endpoint is null || (endpoint is RouteEndpoint route && !LiteralsMatch(route.RoutePattern, withoutSlash)))
        {
            await ApiErrors.WriteDetailAsync(context.Response, StatusCodes.Status404NotFound, "Not Found");
            return;
        }

        if (withoutSlash != path)
        {
            // Starlette's redirect_slashes: the same URL, absolute, without the slash; the client asks again.
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            context.Response.Headers.Location = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}{withoutSlash}{context.Request.QueryString}";
            return;
        }

        if (endpoint.DisplayName == MethodNotAllowedEndpoint && endpoint.RequestDelegate is { } allow)
        {
            await allow(context); // sets the status and the Allow header, writes no body
            await ApiErrors.WriteDetailAsync(context.Response, StatusCodes.Status405MethodNotAllowed, "Method Not Allowed");
            return;
        }

        await next(context);
    }

    /// <summary>Whether the path's segments are the route's literal ones as written (its parameters match anything).</summary>
    private static bool LiteralsMatch(RoutePattern pattern, string path)
    {
        var segments = path.Trim('/').Split('/');
        if (segments.Length != pattern.PathSegments.Count)
        {
            return true; // a catch-all or optional part: left to the router
        }

        for (var i = 0; i < segments.Length; i++)
        {
            if (pattern.PathSegments[i].Parts is [RoutePatternLiteralPart literal] && !string.Equals(literal.Content, segments[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
