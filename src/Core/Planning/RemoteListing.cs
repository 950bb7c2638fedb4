using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.Planning;

/// <summary>
/// What a RemoteOnly source's directory held when a run listed it: how many files, and a digest of them that
/// changes when a file is added, removed or updated (a new upload is a new directory file id; a changed display
/// name, key or metadata moves <c>updated_at</c>). Neither the directory nor its files carry a content hash
/// (docs/llamacloud-api.md §4.2), so this is how a run tells that the directory is as its last complete batch
/// found it, and that parsing it again would bill every file again for nothing (docs/sources.md, "Remote layouts").
/// </summary>
internal sealed record RemoteListing(int Files, string Digest)
{
    public static RemoteListing Of(IReadOnlyCollection<RemoteDirectoryFile> files)
    {
        var lines = new StringBuilder();
        foreach (var file in files.OrderBy(f => f.Id, StringComparer.Ordinal))
        {
            lines.Append(file.Id).Append('\t').Append(file.FileId).Append('\t')
                .Append((file.UpdatedAt ?? file.CreatedAt)?.UtcTicks.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return new(files.Count, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(lines.ToString()))));
    }
}

/// <summary>What planning a RemoteOnly run made of its listing: the batch, or why there is none.</summary>
internal sealed record RemoteOnlyPlan(long? BatchId, RemoteOnlySkip Skip = RemoteOnlySkip.None, long? UnchangedSince = null);

/// <summary>Why a RemoteOnly run planned no batch.</summary>
internal enum RemoteOnlySkip
{
    None,

    /// <summary>A batch of the source has not ended yet: the directory is batched once at a time.</summary>
    InFlight,

    /// <summary>The directory holds the same files its last batch completed over, with every file given a job.</summary>
    Unchanged,

    /// <summary>The directory holds no file: there is nothing to parse.</summary>
    Empty,

    /// <summary>The directory holds the same files as its latest batch, which ended cancelled as an operator here asked: not sent again until it changes.</summary>
    Cancelled,
}
