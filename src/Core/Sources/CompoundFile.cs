using System.Buffers.Binary;
using System.Text;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// A bounded reader of the Compound File Binary format that legacy Office files (.doc, .ppt, .xls) are stored in
/// (docs/legacy-office.md): a small file system of fixed-size sectors chained by an allocation table. It reads only
/// what counting pages needs, a prefix of a stream that lies directly under the root storage, and never trusts a number
/// the file states: no chain is walked further than the file has sectors or past a sector seen before, every sector is
/// checked to lie inside the file, the directory's tree is walked without recursion and each entry once, and no read is
/// larger than its caller's limit. What does not hold throws <see cref="InvalidDataException"/>, which
/// <see cref="PageCounter"/> turns into the size estimate and its reason. Compiled into the Sandbox with
/// <see cref="PageCounter"/>, as is its directory (CompoundFile.Directory.cs).
/// </summary>
internal sealed partial class CompoundFile
{
    private const uint MaxRegularSector = 0xFFFFFFFA;
    private const uint EndOfChain = 0xFFFFFFFE;
    private const int HeaderFatEntries = 109;
    private const int MiniSectorSize = 64;
    private const int MiniStreamCutoff = 4096;

    private readonly Stream content;
    private readonly int sectorSize;
    private readonly long sectors; // the sectors after the header that the file holds, the last perhaps cut short
    private readonly bool version3;
    private readonly uint[] fatSectors;
    private readonly uint firstDirectorySector;
    private readonly uint firstMiniFatSector;
    private readonly long miniFatSectors;
    private List<uint>? directory;

    private CompoundFile(Stream content, ReadOnlySpan<byte> header)
    {
        this.content = content;
        var major = U16(header, 26);
        var shift = U16(header, 30);
        version3 = major == 3;
        if (!(version3 && shift == 9) && !(major == 4 && shift == 12))
        {
            throw new InvalidDataException($"compound file version {major} with sectors of 2^{shift} bytes");
        }

        if (U16(header, 28) != 0xFFFE || U16(header, 32) != 6 || U32(header, 56) != MiniStreamCutoff)
        {
            throw new InvalidDataException("compound file header out of its specification");
        }

        sectorSize = 1 << shift;
        sectors = (content.Length - sectorSize + sectorSize - 1) / sectorSize;
        firstDirectorySector = U32(header, 48);
        firstMiniFatSector = U32(header, 60);
        miniFatSectors = Math.Min(U32(header, 64), sectors);
        fatSectors = FatSectors(header);
    }

    /// <summary>Opens a compound file; throws <see cref="InvalidDataException"/> for anything else (a text named .doc).</summary>
    public static CompoundFile Open(Stream content)
    {
        var header = new byte[512];
        if (content.Length < header.Length + 64)
        {
            throw new InvalidDataException("shorter than a compound file");
        }

        ReadAt(content, 0, header);
        if (BinaryPrimitives.ReadUInt64LittleEndian(header) != 0xE11AB1A1E011CFD0)
        {
            throw new InvalidDataException("no compound file signature");
        }

        return new CompoundFile(content, header);
    }

    /// <summary>
    /// At most <paramref name="maxBytes"/> bytes from the start of the stream named <paramref name="name"/> directly under
    /// the root storage (an embedded object's streams of the same name are not looked at), or null when there is none.
    /// </summary>
    public byte[]? Read(string name, int maxBytes)
    {
        var root = Entry(0);
        if (root.Type != 5)
        {
            throw new InvalidDataException("the first directory entry is not the root");
        }

        var stream = Find(root.Child, name);
        if (stream is null)
        {
            return null;
        }

        var length = (int)Math.Min(stream.Value.Size, (ulong)maxBytes);
        var bytes = new byte[length];
        if (stream.Value.Size < MiniStreamCutoff)
        {
            ReadMini(root, stream.Value.Start, bytes);
        }
        else
        {
            var chain = Chain(stream.Value.Start, (length + sectorSize - 1) / sectorSize, Next);
            Gather(chain, sectorSize, bytes, (sector, span) => ReadAt(content, Offset(sector), span));
        }

        return bytes;
    }

    /// <summary>A small stream's bytes, chained 64 bytes at a time by the mini allocation table inside the root's stream.</summary>
    private void ReadMini(DirectoryEntry root, uint start, byte[] bytes)
    {
        var miniFat = Chain(firstMiniFatSector, (int)miniFatSectors, Next);
        var perSector = (uint)sectorSize / 4;
        uint NextMini(uint mini) => mini / perSector is var at && at < miniFat.Count
            ? FatEntry(miniFat[(int)at], mini % perSector)
            : throw new InvalidDataException($"mini sector {mini} is outside the mini allocation table");

        var chain = Chain(start, (bytes.Length + MiniSectorSize - 1) / MiniSectorSize, NextMini);
        var reach = chain.Count == 0 ? 0 : (((long)chain.Max() * MiniSectorSize) / sectorSize) + 1; // the root's sectors the chain needs
        var miniStream = Chain(root.Start, (int)Math.Min(reach, sectors), Next);
        Gather(chain, MiniSectorSize, bytes, (mini, span) =>
        {
            var offset = (long)mini * MiniSectorSize;
            if (offset + span.Length > (long)Math.Min(root.Size, (ulong)miniStream.Count * (ulong)sectorSize))
            {
                throw new InvalidDataException($"mini sector {mini} lies past the mini stream");
            }

            ReadAt(content, Offset(miniStream[(int)(offset / sectorSize)]) + (offset % sectorSize), span);
        });
    }

    private uint Next(uint sector) => sector / (uint)(sectorSize / 4) is var at && at < fatSectors.Length
        ? FatEntry(fatSectors[at], sector % (uint)(sectorSize / 4))
        : throw new InvalidDataException($"sector {sector} is outside the allocation table");

    private uint FatEntry(uint tableSector, uint index)
    {
        Span<byte> entry = stackalloc byte[4];
        ReadAt(content, Offset(tableSector) + (index * 4), entry);
        return BinaryPrimitives.ReadUInt32LittleEndian(entry);
    }

    /// <summary>
    /// The first <paramref name="count"/> sectors of a chain, fewer when it ends sooner, looking up no link past the last
    /// one needed; a sector met twice (a chain that loops) or a mark where a sector belongs throws. Every caller asks for
    /// no more than the file holds, and each sector is checked to lie inside the file when it is read.
    /// </summary>
    private static List<uint> Chain(uint start, int count, Func<uint, uint> next)
    {
        var chain = new List<uint>();
        var seen = new HashSet<uint>();
        for (var sector = start; sector != EndOfChain && count > 0; sector = next(sector))
        {
            if (sector > MaxRegularSector || !seen.Add(sector))
            {
                throw new InvalidDataException(sector > MaxRegularSector ? $"a sector chain holds the mark {sector:X8}" : "a sector chain loops");
            }

            chain.Add(sector);
            if (chain.Count == count)
            {
                break;
            }
        }

        return chain;
    }

    /// <summary>The allocation table's own sectors: up to 109 listed in the header, the rest in a chain of DIFAT sectors.</summary>
    private uint[] FatSectors(ReadOnlySpan<byte> header)
    {
        var count = U32(header, 44);
        if (count == 0 || count > sectors)
        {
            throw new InvalidDataException($"{count} allocation table sectors in a file of {sectors}");
        }

        var fat = new uint[count];
        var listed = 0;
        for (; listed < Math.Min(count, HeaderFatEntries); listed++)
        {
            fat[listed] = U32(header, 76 + (listed * 4));
        }

        var perSector = (sectorSize / 4) - 1; // the last entry of a DIFAT sector names the next one
        var block = new byte[sectorSize];
        var seen = new HashSet<uint>();
        for (var difat = U32(header, 68); listed < count; difat = U32(block, perSector * 4))
        {
            if (difat > MaxRegularSector || !seen.Add(difat))
            {
                throw new InvalidDataException("the DIFAT chain ends before the allocation table or loops");
            }

            ReadAt(content, Offset(difat), block);
            for (var i = 0; i < perSector && listed < count; i++)
            {
                fat[listed++] = U32(block, i * 4);
            }
        }

        return fat;
    }

    private static void Gather(List<uint> chain, int size, byte[] bytes, SectorReader read)
    {
        if ((long)chain.Count * size < bytes.Length)
        {
            throw new InvalidDataException("a stream's chain ends before its stated size");
        }

        for (var i = 0; i < chain.Count; i++)
        {
            var at = i * size;
            read(chain[i], bytes.AsSpan(at, Math.Min(size, bytes.Length - at)));
        }
    }

    private long Offset(uint sector) => sector < sectors
        ? (sector + 1L) * sectorSize
        : throw new InvalidDataException($"sector {sector} lies past the end of the file");

    private static void ReadAt(Stream content, long offset, Span<byte> buffer)
    {
        if (offset < 0 || offset > content.Length - buffer.Length)
        {
            throw new InvalidDataException("the file is cut short");
        }

        content.Position = offset;
        content.ReadExactly(buffer);
    }

    /// <summary>A little-endian unsigned short at <paramref name="at"/>: every legacy Office structure is little-endian (docs/legacy-office.md).</summary>
    internal static ushort U16(ReadOnlySpan<byte> bytes, int at) => BinaryPrimitives.ReadUInt16LittleEndian(bytes[at..]);

    /// <summary>A little-endian unsigned int at <paramref name="at"/>.</summary>
    internal static uint U32(ReadOnlySpan<byte> bytes, int at) => BinaryPrimitives.ReadUInt32LittleEndian(bytes[at..]);

    private delegate void SectorReader(uint sector, Span<byte> into);
}
