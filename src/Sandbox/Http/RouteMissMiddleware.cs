namespace BatchOrchestrator.Sandbox.Http;

/// <summary>
/// Unknown paths and wrong methods answer as FastAPI does: 404 <c>{"detail": "Not Found"}</c> and 405
/// <c>{"detail": "Method Not Allowed"}</c> with an <c>Allow</c> header (docs/llamacloud-api.md §1.4).
/// Routing comes before any dependency in FastAPI, so these answers come before authentication too.
/// </summary>
internal sealed class RouteMissMiddleware(RequestDelegate next)
{
    // ASP.NET Core's router picks this endpoint when a path matches but its method does not.
    private const string MethodNotAllowedEndpoint = "405 HTTP Method Not Supported";

    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null)
        {
            await ApiErrors.WriteDetailAsync(context.Response, StatusCodes.Status404NotFound, "Not Found");
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
}
