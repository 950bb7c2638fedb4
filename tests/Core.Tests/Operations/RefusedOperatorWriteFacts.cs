using BatchOrchestrator.Core.Leases;

namespace BatchOrchestrator.Core.Tests.Operations;

/// <summary>
/// An operator's command that takes a batch's lease for one fenced write (ending a cancelled batch not yet submitted) and is
/// refused it answers as if a step held the batch, which then sees the request (docs/reliability.md, "Fencing").
/// </summary>
public sealed class RefusedOperatorWriteFacts
{
    [Fact]
    public async Task ARefusedWrite_GivesTheAnswerForRefused_AndAnyOtherFailureStillThrows()
    {
        var stale = new Lease(BatchLease.Name(42), "an operator", 7);

        Assert.False(await LeaseLostException.OrWhenRefusedAsync(Task.FromException<bool>(new LeaseLostException(stale)), false));
        Assert.True(await LeaseLostException.OrWhenRefusedAsync(Task.FromResult(true), false));
        await Assert.ThrowsAsync<InvalidOperationException>(() => LeaseLostException.OrWhenRefusedAsync(Task.FromException<bool>(new InvalidOperationException("the database")), false));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => LeaseLostException.OrWhenRefusedAsync(Task.FromCanceled<bool>(new CancellationToken(true)), false));
    }
}
