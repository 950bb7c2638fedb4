using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace BatchOrchestrator.Sandbox.Http;

/// <summary>
/// Unknown paths and wrong methods answer as FastAPI does: 404 <c>{"detail": "Not Found"}</c> and 405
/// <c>{"detail": "Method Not Allowed"}</c> with an <c>Allow</c> header (docs/llamacloud-api.md §1.4).
/// Routing comes before any dependency in FastAPI, so these answers come before authentication too.
/// ASP.NET Core's router also matches a path in another case, or with a slash at its end, where FastAPI's does
/// neither: a path in another case is unknown, and one with a slash at its end is redirected (307) to the same path
/// without it. Left as it is: a literal in another case where a sibling route has a parameter (<c>/parse/VERSIONS</c>
/// beside <c>/parse/{job_id}</c>) is unknown here, where FastAPI would take it as that parameter's value.
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
        if (endpoint is null || !MatchesAsWritten(context, endpoint, withoutSlash))
        {
            await ApiErrors.WriteDetailAsync(context.Response, StatusCodes.Status404NotFound, "Not Found");
            return;
        }

        if (withoutSlash != path)
        {
            // Starlette's redirect_slashes: the same URL, absolute and encoded, without the slash; the client asks again.
            var request = context.Request;
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            context.Response.Headers.Location = UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, new PathString(withoutSlash), request.QueryString);
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

    /// <summary>Whether the path's literal segments are, as written, those of the route it matched.</summary>
    private static bool MatchesAsWritten(HttpContext context, Endpoint endpoint, string path)
    {
        var segments = path.Trim('/').Split('/');
        if (endpoint is RouteEndpoint route)
        {
            // a catch-all or optional part: left to the router
            return route.RoutePattern.PathSegments.Count != segments.Length || LiteralsMatch(route.RoutePattern, segments, StringComparison.Ordinal);
        }

        // The 405 endpoint names no route: the routes whose path this is, in any case, stand for it.
        var candidates = context.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.PathSegments.Count == segments.Length && LiteralsMatch(e.RoutePattern, segments, StringComparison.OrdinalIgnoreCase))
            .ToList();
        return candidates.Count == 0 || candidates.Exists(e => LiteralsMatch(e.RoutePattern, segments, StringComparison.Ordinal));
    }

    /// <summary>Whether each literal segment of the route is the path's, compared so (its parameters match anything).</summary>
    private static bool LiteralsMatch(RoutePattern pattern, string[] segments, StringComparison comparison)
    {
        for (var i = 0; i < segments.Length; i++)
        {
            if (pattern.PathSegments[i].Parts is [RoutePatternLiteralPart literal] && !string.Equals(literal.Content, segments[i], comparison))
            {
                return false;
            }
        }

        return true;
    }
}
