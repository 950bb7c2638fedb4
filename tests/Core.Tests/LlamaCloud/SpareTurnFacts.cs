using Microsoft.Extensions.Logging.Abstractions;

namespace BatchOrchestrator.Core.Tests.LlamaCloud;

/// <summary>Remote hygiene's deletes share a project's upload pace: they take only what uploads leave.</summary>
public sealed class SpareTurnFacts
{
    [Fact]
    public async Task TryTakeSpare_NeverTakesATurnAnUploadIsWaitingFor()
    {
        // One turn per 600 ms (long beside a loaded machine's scheduling gaps): the first is free, the next is queued for by an upload.
        using var pace = Pace(new UploadRateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromMilliseconds(600), Headroom = 1 });
        Assert.True(pace.TryTakeSpare());
        Assert.False(pace.TryTakeSpare());

        var upload = pace.WaitAsync(UploadLane.Default, Ct).AsTask();
        var refusedWhileWaiting = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!upload.IsCompleted)
        {
            // The limiter hands a new turn to the queued upload first, so a spare turn is never taken before it.
            Assert.False(pace.TryTakeSpare(), "a delete took the turn an upload was waiting for");
            refusedWhileWaiting++;
            await Task.WhenAny(upload, Task.Delay(5, timeout.Token));
        }

        await upload;
        Assert.True(refusedWhileWaiting > 0);
        await Eventually.WaitAsync(() => Task.FromResult(pace.TryTakeSpare()), TimeSpan.FromSeconds(20), "a spare turn once no upload waits");
    }

    [Fact]
    public void TryTakeSpare_IsRefused_WhileA429HoldsTheProject()
    {
        using var pace = Pace(new UploadRateLimitOptions { PermitLimit = 50, Window = TimeSpan.FromSeconds(5) });

        pace.OnThrottled(TimeSpan.FromHours(1));

        Assert.False(pace.TryTakeSpare());
        Assert.True(pace.PausedFor > TimeSpan.FromMinutes(59));
    }

    private static UploadPace Pace(UploadRateLimitOptions limits) => new(
        "prj-test", limits, new RetryTiming(Options.Create(new LlamaCloudOptions()), TimeProvider.System), TimeProvider.System, NullLogger.Instance);
}
