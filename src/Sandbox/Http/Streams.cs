namespace BatchOrchestrator.Sandbox.Http;

/// <summary>Copying request bodies with a cap, so an oversized body is refused without being buffered whole.</summary>
internal static class Streams
{
    /// <summary>Copies at most <paramref name="limit"/> bytes; false when the source holds more.</summary>
    public static async Task<bool> CopyLimitedAsync(Stream source, Stream destination, long limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > limit)
            {
                return false;
            }

            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        return true;
    }
}
