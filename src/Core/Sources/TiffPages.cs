using System.Buffers.Binary;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// The pages of a TIFF, classic or BigTIFF: its chain of image file directories, one per page (a fax, a scanner's
/// multi-page file). Only the directories' headers are read, never the images. A chain that loops, or points past the
/// end of the file, is counted as far as it reads. Compiled into the Sandbox with <see cref="PageCounter"/>.
/// </summary>
internal static class TiffPages
{
    /// <summary>More pages than any scanner writes: a crafted chain is not followed further.</summary>
    public const int MaxPages = 100_000;

    /// <summary>The directories in the chain, at least one; throws <see cref="InvalidDataException"/> for what is no TIFF.</summary>
    public static int Count(Stream content)
    {
        Span<byte> header = stackalloc byte[16];
        if (!ReadAt(content, 0, header[..8]))
        {
            throw new InvalidDataException("shorter than a TIFF header");
        }

        var little = header[0] == 'I' && header[1] == 'I';
        if (!little && !(header[0] == 'M' && header[1] == 'M'))
        {
            throw new InvalidDataException("no TIFF byte order mark");
        }

        var version = U16(header[2..], little);
        var big = version == 43;
        if (version != 42 && !big)
        {
            throw new InvalidDataException($"TIFF version {version}");
        }

        if (big && !ReadAt(content, 8, header[8..16]))
        {
            throw new InvalidDataException("shorter than a BigTIFF header");
        }

        var (countSize, entrySize, offsetSize) = big ? (8, 20, 8) : (2, 12, 4);
        var next = big ? Offset(header[8..], little, big) : Offset(header[4..], little, big);
        var seen = new HashSet<long>();
        var pages = 0;
        Span<byte> field = stackalloc byte[8];
        while (next > 0 && pages < MaxPages && seen.Add(next))
        {
            if (!ReadAt(content, next, field[..countSize]))
            {
                break;
            }

            var entries = big ? Offset(field, little, big) : U16(field, little);
            var nextField = entries < 0 || entries > content.Length ? -1 : next + countSize + (entries * entrySize);
            if (!ReadAt(content, nextField, field[..offsetSize]))
            {
                break; // the directory runs past the end of the file: a page cut off is not counted
            }

            pages++;
            next = Offset(field, little, big);
        }

        return Math.Max(1, pages);
    }

    private static bool ReadAt(Stream content, long offset, Span<byte> buffer)
    {
        if (offset < 0 || offset > content.Length - buffer.Length)
        {
            return false;
        }

        content.Position = offset;
        content.ReadExactly(buffer);
        return true;
    }

    private static ushort U16(ReadOnlySpan<byte> bytes, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(bytes) : BinaryPrimitives.ReadUInt16BigEndian(bytes);

    /// <summary>An offset (or a BigTIFF count); one beyond what a long holds reads as -1, past any end.</summary>
    private static long Offset(ReadOnlySpan<byte> bytes, bool little, bool big)
    {
        if (!big)
        {
            return little ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt32BigEndian(bytes);
        }

        var value = little ? BinaryPrimitives.ReadUInt64LittleEndian(bytes) : BinaryPrimitives.ReadUInt64BigEndian(bytes);
        return value > long.MaxValue ? -1 : (long)value;
    }
}
