namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// The error texts LlamaCloud reports per file inside an answer that succeeded: a v2 batch result's, a parse or extract
/// job's and a failed page's, a v1 job's and item's. Each becomes a file version's error, is logged and is shown on the
/// dashboard, as an error body's text is, and may quote a request as one may (a failure naming the webhook it could not
/// reach, a gateway's page relayed as a job's error): the client puts each through the same <see cref="SentSecrets"/>
/// before any caller sees it (docs/architecture.md, "Secrets").
/// </summary>
internal static class ReportedErrors
{
    public static RemoteBatch Redacted(this RemoteBatch batch, SentSecrets secrets) =>
        batch.Results is { } results && results.Any(r => r.ErrorMessage is not null)
            ? batch with { Results = [.. results.Select(r => r with { ErrorMessage = secrets.Redact(r.ErrorMessage) })] }
            : batch;

    public static ProductJob Redacted(this ProductJob job, SentSecrets secrets) => job with { ErrorMessage = secrets.Redact(job.ErrorMessage) };

    public static ExtractJob Redacted(this ExtractJob job, SentSecrets secrets) => job with { ErrorMessage = secrets.Redact(job.ErrorMessage) };

    public static ParseJobResult Redacted(this ParseJobResult result, SentSecrets secrets) =>
        result with { Job = result.Job.Redacted(secrets), Markdown = Redacted(result.Markdown, secrets), Text = Redacted(result.Text, secrets) };

    public static V1BatchJob Redacted(this V1BatchJob job, SentSecrets secrets) => job with { ErrorMessage = secrets.Redact(job.ErrorMessage) };

    public static V1BatchJobStatus Redacted(this V1BatchJobStatus status, SentSecrets secrets) => status with { Job = status.Job.Redacted(secrets) };

    public static V1Item Redacted(this V1Item item, SentSecrets secrets) =>
        item with { ErrorMessage = secrets.Redact(item.ErrorMessage), SkipReason = secrets.Redact(item.SkipReason) };

    public static V1CancelResponse Redacted(this V1CancelResponse answer, SentSecrets secrets) => answer with { Message = secrets.Redact(answer.Message) };

    public static CursorPage<T> Redacted<T>(this CursorPage<T> page, Func<T, T> redacted) => page with { Items = [.. page.Items.Select(redacted)] };

    public static V1Page<T> Redacted<T>(this V1Page<T> page, Func<T, T> redacted) => page with { Items = [.. page.Items.Select(redacted)] };

    // Only a page that failed has an error; a result of a thousand pages is not copied for none.
    private static ParsePages? Redacted(ParsePages? pages, SentSecrets secrets) =>
        pages?.Pages is { } list && list.Any(p => p.Error is not null)
            ? pages with { Pages = [.. list.Select(p => p.Error is null ? p : p with { Error = secrets.Redact(p.Error) })] }
            : pages;
}
