using System.Net;

namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>
/// What the dashboard answers while PostgreSQL does not: every page reads it, and without this an operator looking
/// first where they always look got an empty 500. A short page says what is wrong and that nothing needs doing for
/// the work itself (the service keeps its place and resumes when the database is back); /readyz says the same to
/// machines. Only a database that cannot be reached is answered so: any other failure is a bug and keeps its 500.
/// </summary>
internal static class DatabaseDownPage
{
    public static void Use(IApplicationBuilder app, string dashboardPath)
    {
        var root = dashboardPath.TrimEnd('/');
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments(root, StringComparison.Ordinal))
            {
                await next(context);
                return;
            }

            try
            {
                await next(context);
            }
            catch (Exception ex) when (Health.DatabaseUnreachable.Describe(ex) is { } reason && !context.Response.HasStarted)
            {
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseDownPage))
                    .LogWarning("Dashboard page {Path} not shown: PostgreSQL does not answer ({Reason})", context.Request.Path.Value, reason);
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "10";
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.WriteAsync(
                    "<!DOCTYPE html><html><head><title>BatchOrchestrator: database unreachable</title><meta http-equiv=\"refresh\" content=\"10\"></head>"
                    + "<body style=\"font-family:sans-serif;margin:2em\"><h1>The database does not answer</h1>"
                    + $"<p id=\"ops-database-down\">PostgreSQL does not answer ({WebUtility.HtmlEncode(reason)}), so the dashboard cannot show anything now.</p>"
                    + "<p>Nothing is lost: the service keeps its place and carries on by itself once the database is back. "
                    + "<code>/readyz</code> reports it too. This page tries again every 10 seconds.</p></body></html>",
                    context.RequestAborted);
            }
        });
    }
}
