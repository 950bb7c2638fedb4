namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// The slides of a PowerPoint 97–2003 presentation whose summary states no count (LibreOffice writes none), counted in
/// its PowerPoint Document stream (docs/legacy-office.md, "A presentation's slides"): the SlidePersistAtom records of the
/// slide list (a SlideListWithTextContainer of instance 0) in its current DocumentContainer. The current one is found as
/// PowerPoint finds it, not taken as the first in the stream: the Current User stream names the last UserEditAtom, and
/// the persist directories of it and the edits before it give the container's offset. A save that only appends its
/// changes leaves the older containers in place, so the first one can list slides since deleted or lack slides added.
/// Nothing the file states is trusted: every record must lie inside its container and the stream, the edits are walked
/// each once and never for more bytes than the stream holds, and the stream is read to at most 16 MiB. What does not
/// hold throws <see cref="InvalidDataException"/>, which <see cref="PageCounter"/> turns into the size rule and its reason.
/// Compiled into the Sandbox with <see cref="PageCounter"/>.
/// </summary>
internal static class PowerPointSlides
{
    /// <summary>Bytes of the PowerPoint Document stream read: its slides' text and shapes, and any embedded objects.</summary>
    public const int MaxDocumentBytes = 16 << 20;

    private const int HeaderBytes = 8;
    private const ushort DocumentContainer = 0x03E8;
    private const ushort SlidePersistAtom = 0x03F3;
    private const ushort SlideListWithText = 0x0FF0;
    private const ushort UserEditAtom = 0x0FF5;
    private const ushort CurrentUserAtom = 0x0FF6;
    private const ushort PersistDirectoryAtom = 0x1772;
    private const uint PlainToken = 0xE391C05F; // the CurrentUserAtom's header token
    private const uint EncryptedToken = 0xF3D1C4DF;

    /// <summary>The slides of the presentation in <paramref name="file"/>: at least 1, or it throws.</summary>
    public static int Count(CompoundFile file)
    {
        var current = file.Read("Current User", 64) ?? throw new InvalidDataException("no Current User stream");
        if (current.Length < 20 || CompoundFile.U16(current, 2) != CurrentUserAtom)
        {
            throw new InvalidDataException("a Current User stream that holds no CurrentUserAtom");
        }

        if (CompoundFile.U32(current, 12) != PlainToken)
        {
            throw new InvalidDataException(CompoundFile.U32(current, 12) == EncryptedToken ? "an encrypted presentation" : "a CurrentUserAtom of no known header token");
        }

        var document = file.Read("PowerPoint Document", MaxDocumentBytes) ?? throw new InvalidDataException("no PowerPoint Document stream");
        var container = Record(document, DocumentOffset(document, CompoundFile.U32(current, 16)), document.Length, DocumentContainer, "DocumentContainer");
        var slides = 0;
        foreach (var child in Children(document, container))
        {
            if (child.Type == SlideListWithText && child.Instance == 0)
            {
                slides = Children(document, child).Count(atom => atom.Type == SlidePersistAtom);
                break;
            }
        }

        return slides > 0 ? slides : throw new InvalidDataException("a DocumentContainer that lists no slides");
    }

    /// <summary>
    /// Where the current DocumentContainer begins: the persist id the last edit names, looked up in its persist directory
    /// and then each earlier edit's, the newest entry winning. The edits are chained from the last to the first; a chain
    /// that comes back to an edit, or that makes more bytes looked at than the stream holds, is refused.
    /// </summary>
    private static long DocumentOffset(byte[] document, uint lastEdit)
    {
        var seen = new HashSet<long>();
        var budget = (long)document.Length;
        uint? documentId = null;
        for (long edit = lastEdit; ; edit = CompoundFile.U32(document, (int)edit + 16))
        {
            if (!seen.Add(edit))
            {
                throw new InvalidDataException("the presentation's edits loop");
            }

            var atom = Record(document, edit, document.Length, UserEditAtom, "UserEditAtom");
            if (atom.Length < 28)
            {
                throw new InvalidDataException("a UserEditAtom cut short");
            }

            documentId ??= CompoundFile.U32(document, (int)edit + 24);
            var directory = Record(document, CompoundFile.U32(document, (int)edit + 20), document.Length, PersistDirectoryAtom, "PersistDirectoryAtom");
            budget -= HeaderBytes + atom.Length + HeaderBytes + directory.Length;
            if (budget < 0)
            {
                throw new InvalidDataException("the presentation's edits overlap");
            }

            if (Persisted(document, directory, documentId.Value) is { } offset)
            {
                return offset;
            }

            if (CompoundFile.U32(document, (int)edit + 16) == 0)
            {
                throw new InvalidDataException($"no edit places the document's persist id {documentId}");
            }
        }
    }

    /// <summary>The offset one persist directory gives <paramref name="id"/>: runs of a 20-bit first id, a 12-bit count and as many offsets.</summary>
    private static long? Persisted(byte[] document, Header directory, uint id)
    {
        var end = directory.Body + directory.Length;
        for (var at = directory.Body; at + 4 <= end;)
        {
            var run = CompoundFile.U32(document, (int)at);
            var (first, count) = (run & 0xFFFFF, run >> 20);
            if (at + 4 + (count * 4L) > end)
            {
                throw new InvalidDataException("a persist directory entry runs past its atom");
            }

            if (id >= first && id - first < count)
            {
                return CompoundFile.U32(document, (int)(at + 4 + ((id - first) * 4)));
            }

            at += 4 + (count * 4L);
        }

        return null;
    }

    /// <summary>The records directly inside a container, each checked to end within it; yielded, not listed, since a hostile container holds millions.</summary>
    private static IEnumerable<Header> Children(byte[] document, Header container)
    {
        var end = container.Body + container.Length;
        for (var at = container.Body; at < end;)
        {
            var child = Record(document, at, end, null, "record");
            yield return child;
            at = child.Body + child.Length;
        }
    }

    /// <summary>The header of the record at <paramref name="at"/>, which must be of <paramref name="type"/> (when given) and end by <paramref name="end"/>.</summary>
    private static Header Record(byte[] document, long at, long end, ushort? type, string name)
    {
        var pastRead = end == document.Length && document.Length == MaxDocumentBytes; // the stream may go on
        if (at < 0 || at + HeaderBytes > end)
        {
            throw new InvalidDataException(pastRead ? $"a {name} past the first {MaxDocumentBytes} bytes read" : $"a {name} cut short at {at}");
        }

        var header = new Header(CompoundFile.U16(document, (int)at + 2), (ushort)(CompoundFile.U16(document, (int)at) >> 4), at + HeaderBytes, CompoundFile.U32(document, (int)at + 4));
        if (type is { } expected && header.Type != expected)
        {
            throw new InvalidDataException($"no {name} at {at}");
        }

        return header.Body + header.Length <= end
            ? header
            : throw new InvalidDataException(pastRead ? $"a {name} past the first {MaxDocumentBytes} bytes read" : $"a {name} at {at} whose length runs past its container");
    }

    private readonly record struct Header(ushort Type, ushort Instance, long Body, long Length);
}
