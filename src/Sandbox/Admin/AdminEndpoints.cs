using System.Net;
using BatchOrchestrator.Sandbox.Faults;
using BatchOrchestrator.Sandbox.Files;
using BatchOrchestrator.Sandbox.Processing;
using BatchOrchestrator.Sandbox.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace BatchOrchestrator.Sandbox.Admin;

/// <summary>
/// /_sandbox: a test tool, not part of LlamaCloud. No bearer key, answered only over loopback:
/// counters, faults (GET, partial POST), reset, health, forgetting a batch, and the presigned downloads.
/// </summary>
internal static class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/_sandbox").AddEndpointFilter(async (context, next) =>
            IPAddress.IsLoopback(context.HttpContext.Connection.RemoteIpAddress ?? IPAddress.None)
                ? await next(context)
                : ApiErrors.Detail(StatusCodes.Status403Forbidden, "The Sandbox admin endpoints answer only on loopback"));
        admin.MapGet("/health", () => new WriterResult(w => { w.WriteStartObject(); w.WriteString("status", "ok"); w.WriteEndObject(); }));
        admin.MapGet("/counters", (SandboxCounters counters) => new WriterResult(counters.Write));
        admin.MapGet("/faults", (FaultState faults) => new WriterResult(w => FaultSettingsJson.Write(w, faults.Current)));
        admin.MapPost("/faults", UpdateFaultsAsync);
        admin.MapPost("/reset", Reset);
        admin.MapPost("/step", Step);
        admin.MapGet("/credits", (Billing.SandboxBilling billing) => new WriterResult(billing.Write));
        admin.MapPost("/credits", SetCreditsAsync);
        admin.MapGet("/downloads/{file_id}", Download);
        admin.MapDelete("/batches/{batch_id}", ForgetBatch);
    }

    /// <summary>
    /// Forgets one v2 batch or v1 batch-processing job, in whatever project, as the service does once it expires or
    /// is deleted (there is no API route for that) and as a restarted in-process Sandbox does with everything: from
    /// then on it answers 404 and is in no list. The jobs it made are kept. 204, or 404 if no batch has that id.
    /// </summary>
    private static IResult ForgetBatch([FromRoute(Name = "batch_id")] string batchId, SandboxState state)
    {
        lock (state.Gate)
        {
            var forgotten = state.Batches.Linked(batchId) is { } batch ? state.Batches.Remove(batch.ProjectId, batchId)
                : state.V1Jobs.Linked(batchId) is { } job && state.V1Jobs.Remove(job.ProjectId, batchId);
            return forgotten ? TypedResults.NoContent() : ApiErrors.NotFound("Batch", batchId);
        }
    }

    private static async Task<IResult> UpdateFaultsAsync(HttpRequest request, FaultState faults)
    {
        var (body, error) = await JsonBody.ReadAsync(request, required: false);
        if (error is not null)
        {
            return error;
        }

        var v = new BodyValidator();
        var updated = FaultSettingsJson.Apply(body, faults.Current, v);
        if (!v.IsValid)
        {
            return v.ToResult();
        }

        faults.Replace(updated);
        return new WriterResult(w => FaultSettingsJson.Write(w, updated));
    }

    /// <summary><c>{"balance": 500}</c> makes the balance finite (402 once spent); <c>{"balance": null}</c> unlimited again.</summary>
    private static async Task<IResult> SetCreditsAsync(HttpRequest request, Billing.SandboxBilling billing)
    {
        var (body, error) = await JsonBody.ReadAsync(request);
        if (error is not null)
        {
            return error;
        }

        if (body.ValueKind != System.Text.Json.JsonValueKind.Object || !body.TryGetProperty("balance", out var balance)
            || balance.ValueKind is not (System.Text.Json.JsonValueKind.Number or System.Text.Json.JsonValueKind.Null))
        {
            return ApiErrors.Validation("missing", "balance (a number of credits, or null for unlimited) is required", "body", "balance");
        }

        billing.SetBalance(balance.ValueKind == System.Text.Json.JsonValueKind.Null ? null : balance.GetDecimal());
        return new WriterResult(billing.Write);
    }

    /// <summary>Back to start-up: no resources, zero counters, the configured faults and rate limits.</summary>
    private static NoContent Reset(SandboxState state, SandboxCounters counters, FaultState faults, RateLimiters limiters, WebhookDispatcher webhooks, Billing.SandboxBilling billing)
    {
        lock (state.Gate)
        {
            state.Clear();
            faults.Reset();
            limiters.Reset();
            webhooks.Reset();
            counters.Reset();
            billing.Reset();
        }

        return TypedResults.NoContent();
    }

    /// <summary>Moves the simulated back end <paramref name="count"/> steps (default one), as the timer would.</summary>
    private static IResult Step(ProcessingLoop loop, int? count)
    {
        if (count is < 1 or > 10_000)
        {
            return ApiErrors.Validation("value_error", "Input should be from 1 to 10000", "query", "count");
        }

        var step = 0L;
        for (var i = 0; i < (count ?? 1); i++)
        {
            step = loop.Step();
        }

        return new WriterResult(w => { w.WriteStartObject(); w.WriteNumber("step", step); w.WriteEndObject(); });
    }

    private static IResult Download([FromRoute(Name = "file_id")] string fileId, string? expires, string? signature, SandboxState state, DownloadLinks links)
    {
        if (!links.IsValid(fileId, expires, signature))
        {
            return ApiErrors.Detail(StatusCodes.Status403Forbidden, "Request has expired or the signature does not match");
        }

        lock (state.Gate)
        {
            // A presigned link names its file itself and carries no project (it was signed for one request's project).
            return state.Files.Linked(fileId) is { } file
                ? TypedResults.File(file.Content.Bytes, file.Content.ContentType ?? "application/octet-stream", file.Name)
                : ApiErrors.NotFound("File", fileId);
        }
    }
}
