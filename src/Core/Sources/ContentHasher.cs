using System.Security.Cryptography;

namespace BatchOrchestrator.Core.Sources;

/// <summary>SHA-256 of a file's content, or null when the file changed under us while hashing.</summary>
internal static class ContentHasher
{
    public static async Task<byte[]?> HashAsync(string fullPath, FileObservation expected, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(fullPath, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            BufferSize = 0, // SHA256.HashDataAsync reads in large blocks itself
        });
        var hash = await SHA256.HashDataAsync(stream, cancellationToken);
        return FileStamp.Read(fullPath).Matches(expected) && stream.Position == expected.Size ? hash : null;
    }
}
