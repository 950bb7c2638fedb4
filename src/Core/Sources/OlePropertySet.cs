using System.Buffers.Binary;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// One number from a property set stream, the summary a legacy Office file keeps of itself (docs/legacy-office.md):
/// SummaryInformation holds a Word document's page count, DocumentSummaryInformation a presentation's slide count.
/// Only the stream's first set is read, and only as far as its caller read the stream: a value that lies further (past
/// a large thumbnail) is taken as not stated. Compiled into the Sandbox with <see cref="PageCounter"/>.
/// </summary>
internal static class OlePropertySet
{
    /// <summary>The set of SummaryInformation, whose property 14 is the page count.</summary>
    public static readonly Guid SummaryInformation = new("F29F85E0-4FF9-1068-AB91-08002B27B3D9");

    /// <summary>The first set of DocumentSummaryInformation, whose property 7 is the slide count.</summary>
    public static readonly Guid DocumentSummaryInformation = new("D5CDD502-2E9C-101B-9397-08002B2CF9AE");

    private const ushort SignedShort = 0x0002; // VT_I2
    private const ushort SignedInt = 0x0003; // VT_I4

    /// <summary>
    /// The integer property <paramref name="id"/> of the set <paramref name="format"/> in <paramref name="stream"/>, or
    /// null when the stream, the property or an integer value is missing; throws <see cref="InvalidDataException"/> for
    /// a stream that is no property set.
    /// </summary>
    public static int? Integer(byte[]? stream, Guid format, uint id)
    {
        if (stream is null)
        {
            return null;
        }

        if (stream.Length < 48 || BinaryPrimitives.ReadUInt16LittleEndian(stream) != 0xFFFE || CompoundFile.U32(stream, 24) is 0 or > 2)
        {
            throw new InvalidDataException("a summary stream that is no property set");
        }

        if (new Guid(stream.AsSpan(28, 16)) != format)
        {
            return null;
        }

        var set = (long)CompoundFile.U32(stream, 44);
        var count = set <= stream.Length - 8 ? CompoundFile.U32(stream, (int)set + 4) : 0;
        for (var i = 0L; i < count && set + 16 + (i * 8) <= stream.Length; i++)
        {
            var entry = (int)(set + 8 + (i * 8));
            if (CompoundFile.U32(stream, entry) != id)
            {
                continue;
            }

            var value = set + CompoundFile.U32(stream, entry + 4);
            if (value > stream.Length - 8)
            {
                return null;
            }

            return BinaryPrimitives.ReadUInt16LittleEndian(stream.AsSpan((int)value)) switch
            {
                SignedInt => BinaryPrimitives.ReadInt32LittleEndian(stream.AsSpan((int)value + 4)),
                SignedShort => BinaryPrimitives.ReadInt16LittleEndian(stream.AsSpan((int)value + 4)),
                _ => null,
            };
        }

        return null;
    }
}
