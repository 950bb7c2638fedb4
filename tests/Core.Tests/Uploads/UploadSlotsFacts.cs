using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Uploads;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Core.Tests.Uploads;

public sealed class UploadSlotsFacts
{
    [Fact]
    public void OneBatchPerSourceUploads_OthersAreNoted_AndTheLowestIsHandedOnWhenItEnds()
    {
        var slots = new UploadSlots(Options.Create(new PipelineOptions { BatchesUploadingPerSource = 1 }));

        Assert.True(slots.TryEnter("backfill", 10));
        Assert.False(slots.TryEnter("backfill", 12));
        Assert.False(slots.TryEnter("backfill", 11));
        Assert.False(slots.TryEnter("backfill", 10)); // already uploading here: a second job has nothing to do
        Assert.True(slots.TryEnter("nightly", 13)); // another source is never held up by the backfill's batches

        Assert.Equal(11, slots.Leave("backfill", 10));
        Assert.True(slots.TryEnter("backfill", 11));
        Assert.Null(slots.Leave("nightly", 13));
        Assert.Equal(12, slots.Leave("backfill", 11));
    }

    [Fact]
    public void ABatchHandedOnThatNoLongerUploads_StillPassesTheSlotOn()
    {
        var slots = new UploadSlots(Options.Create(new PipelineOptions { BatchesUploadingPerSource = 1 }));
        Assert.True(slots.TryEnter("backfill", 1));
        Assert.False(slots.TryEnter("backfill", 2));
        Assert.False(slots.TryEnter("backfill", 3));
        Assert.Equal(2, slots.Leave("backfill", 1));

        // Batch 2 was cancelled meanwhile: its job ends without uploading, and batch 3 must not be stranded.
        Assert.Equal(3, slots.Leave("backfill", 2));
    }
}
