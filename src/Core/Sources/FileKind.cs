namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// Tells a named pipe, a socket or a device from a regular file, which .NET does not (all three
/// enumerate as "Normal" with length 0). Linux only (<see cref="Statx"/>); elsewhere the answer is "not
/// known" and such an entry stays an empty file. Asked only about zero-length entries, so it costs nothing
/// on an ordinary tree.
/// </summary>
internal static class FileKind
{
    /// <summary>What the entry at <paramref name="path"/> is when it is not a regular file or folder ("a named pipe (FIFO)"), else null.</summary>
    public static string? SpecialKindOf(string path) => (Statx.Of(path)?.Mode & Statx.TypeMask) switch
    {
        0x1000 => "a named pipe (FIFO)",
        0xC000 => "a socket",
        0x2000 => "a character device",
        0x6000 => "a block device",
        _ => null, // a file or folder; or gone, unreadable, not known here: the ordinary paths report those
    };
}
