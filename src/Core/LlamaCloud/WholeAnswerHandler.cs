namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// Reads each answer's body inside the attempt, so that <c>LlamaCloud:AttemptTimeout</c> covers all of it. A handler
/// returns once the headers have arrived, and HttpClient then reads the body outside the handlers, beyond the
/// pipeline's attempt timeout and under none of its own (<see cref="LlamaCloudKey.Configure"/> makes it infinite, as
/// the pipeline times attempts): a peer that fell silent mid-body, neither sending nor closing, held the call, its
/// step and the step's lease until the service stopped. Nothing is read that HttpClient would not read anyway: every
/// call of ours takes its answer whole. A body cut off or timed out here is a failed attempt like any other, retried
/// by <see cref="RetryDecision"/>'s rules (docs/configuration-llamacloud.md, "Retries").
/// </summary>
internal sealed class WholeAnswerHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        try
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
