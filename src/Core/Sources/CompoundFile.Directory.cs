using System.Buffers.Binary;
using System.Text;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// The directory of a compound file (docs/legacy-office.md): entries of 128 bytes in their own sector chain, the streams
/// and storages under one storage kept as a tree of siblings. Only the root storage's children are looked at.
/// </summary>
internal sealed partial class CompoundFile
{
    private const uint NoEntry = 0xFFFFFFFF;
    private const int EntrySize = 128;

    /// <summary>Directory entries looked at, at most: an Office file has tens, one with many embedded objects thousands.</summary>
    private const int MaxEntries = 65_536;

    /// <summary>The stream named <paramref name="name"/> among the siblings of one storage, walked without recursion.</summary>
    private DirectoryEntry? Find(uint first, string name)
    {
        var seen = new HashSet<uint>();
        var pending = new Stack<uint>();
        pending.Push(first);
        while (pending.TryPop(out var id))
        {
            if (id == NoEntry)
            {
                continue;
            }

            if (!seen.Add(id) || seen.Count > MaxEntries)
            {
                throw new InvalidDataException("the directory's tree loops");
            }

            var entry = Entry(id);
            if (entry.Type == 2 && string.Equals(entry.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return entry;
            }

            pending.Push(entry.Left);
            pending.Push(entry.Right);
        }

        return null;
    }

    private DirectoryEntry Entry(uint id)
    {
        if (id >= MaxEntries)
        {
            throw new InvalidDataException($"directory entry {id} is out of range");
        }

        var perSector = sectorSize / EntrySize;
        var chain = directory ??= Chain(firstDirectorySector, MaxEntries / perSector, Next);
        if (chain.Count <= id / perSector)
        {
            throw new InvalidDataException($"directory entry {id} lies past the directory's end");
        }

        Span<byte> raw = stackalloc byte[EntrySize];
        ReadAt(content, Offset(chain[(int)(id / perSector)]) + (id % perSector * EntrySize), raw);
        var nameBytes = Math.Clamp((int)U16(raw, 64) - 2, 0, 62) & ~1; // a length in bytes, its terminator included
        var size = version3 ? U32(raw, 120) : BinaryPrimitives.ReadUInt64LittleEndian(raw[120..]); // version 3 leaves the high half unset
        return new DirectoryEntry(Encoding.Unicode.GetString(raw[..nameBytes]), raw[66], U32(raw, 68), U32(raw, 72), U32(raw, 76), U32(raw, 116), size);
    }

    private readonly record struct DirectoryEntry(string Name, byte Type, uint Left, uint Right, uint Child, uint Start, ulong Size);
}
