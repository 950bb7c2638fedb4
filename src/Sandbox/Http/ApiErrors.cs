namespace BatchOrchestrator.Sandbox.Http;

/// <summary>
/// FastAPI-shaped error bodies: <c>{"detail": "…"}</c>, or a list of issues for 422
/// (docs/llamacloud-api.md §1.4; the backend is FastAPI, it serves /redoc).
/// </summary>
internal static class ApiErrors
{
    public static IResult Detail(int statusCode, string detail) => new DetailResult(statusCode, detail);

    public static IResult NotFound(string what, string id) => Detail(StatusCodes.Status404NotFound, $"{what} '{id}' not found");

    public static IResult Conflict(string detail) => Detail(StatusCodes.Status409Conflict, detail);

    public static IResult Validation(IReadOnlyList<ValidationIssue> issues) => new ValidationResult(issues);

    public static IResult Validation(string type, string msg, params object[] loc) => new ValidationResult([new ValidationIssue(loc, msg, type)]);

    public static async Task WriteDetailAsync(HttpResponse response, int statusCode, string detail)
    {
        response.StatusCode = statusCode;
        response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(response.Body);
        writer.WriteStartObject();
        writer.WriteString("detail", detail);
        writer.WriteEndObject();
    }

    private sealed class DetailResult(int statusCode, string detail) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => WriteDetailAsync(httpContext.Response, statusCode, detail);
    }

    private sealed class ValidationResult(IReadOnlyList<ValidationIssue> issues) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            response.ContentType = "application/json";
            await using var writer = new Utf8JsonWriter(response.Body);
            writer.WriteStartObject();
            writer.WriteStartArray("detail");
            foreach (var issue in issues)
            {
                // Pydantic v2 order: type, loc, msg, input, ctx (FastAPI leaves out the url).
                writer.WriteStartObject();
                writer.WriteString("type", issue.Type);
                writer.WriteStartArray("loc");
                foreach (var part in issue.Loc)
                {
                    if (part is int index)
                    {
                        writer.WriteNumberValue(index);
                    }
                    else
                    {
                        writer.WriteStringValue(part.ToString());
                    }
                }

                writer.WriteEndArray();
                writer.WriteString("msg", issue.Msg);
                IssueInput.Write(writer, httpContext, issue.Loc);
                Refusal.WriteCtx(writer, issue.Ctx);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }
    }
}
