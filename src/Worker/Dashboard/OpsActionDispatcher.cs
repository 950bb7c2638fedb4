using System.Net;
using System.Text.RegularExpressions;
using Hangfire.Dashboard;

namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>
/// One of our commands (start, retry, cancel). Hangfire's middleware has already checked the caller
/// and the antiforgery token; this refuses read-only callers and anything but POST, then runs the
/// operator command and answers with what it did.
/// </summary>
internal sealed class OpsActionDispatcher(Func<HttpContext, Match, Task<string>> act) : IDashboardDispatcher
{
    private const string PlainText = "text/plain; charset=utf-8";

    public async Task Dispatch(DashboardContext context)
    {
        var http = context.GetHttpContext();
        if (context.IsReadOnly)
        {
            http.Response.StatusCode = (int)HttpStatusCode.Forbidden;
            http.Response.ContentType = PlainText;
            await http.Response.WriteAsync("Read-only access: this action is not allowed.", http.RequestAborted);
            return;
        }

        if (!HttpMethods.IsPost(http.Request.Method))
        {
            http.Response.StatusCode = (int)HttpStatusCode.MethodNotAllowed;
            return;
        }

        string outcome;
        try
        {
            outcome = await act(http, context.UriMatch);
        }
        catch (ArgumentException ex)
        {
            http.Response.StatusCode = (int)HttpStatusCode.UnprocessableEntity;
            http.Response.ContentType = PlainText; // the page's script shows it as the reason, and a browser must not guess its type
            await http.Response.WriteAsync(ex.Message, http.RequestAborted);
            return;
        }

        http.Response.ContentType = PlainText;
        await http.Response.WriteAsync(outcome, http.RequestAborted);
    }
}
