namespace BatchOrchestrator.Sandbox.Http;

/// <summary>A 200 JSON response written directly with a <see cref="Utf8JsonWriter"/> (for dynamic shapes).</summary>
internal sealed class WriterResult(Action<Utf8JsonWriter> write) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(httpContext.Response.Body);
        write(writer);
        await writer.FlushAsync(httpContext.RequestAborted);
    }
}
