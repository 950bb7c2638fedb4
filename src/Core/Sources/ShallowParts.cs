using System.Xml;
using DocumentFormat.OpenXml.Packaging;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// Lets an Open XML part be loaded as a tree only once a streaming read found it no deeper than an Office program writes
/// it. The Open XML SDK builds an element by recursion, some frames per level of nesting, and a stack overflow cannot be
/// caught: a presentation or workbook of a few kilobytes, its part nesting 200,000 elements (a zip holds that in no room),
/// ended the process at every scan that hashed it, holding back every source of the instance. Compiled into the Sandbox
/// with <see cref="PageCounter"/>.
/// </summary>
internal static class ShallowParts
{
    /// <summary>Far deeper than a presentation's, a workbook's or a document's properties part is ever nested (under ten).</summary>
    public const int MaxDepth = 256;

    /// <summary>The part, read through once; throws <see cref="InvalidDataException"/> when it nests deeper than <see cref="MaxDepth"/>.</summary>
    public static T? Checked<T>(T? part) where T : OpenXmlPart
    {
        if (part is null)
        {
            return null;
        }

        using var stream = part.GetStream(FileMode.Open, FileAccess.Read);
        using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = PageCounter.MaxPartCharacters });
        while (reader.Read())
        {
            if (reader.Depth > MaxDepth)
            {
                throw new InvalidDataException($"its {part.Uri} nests elements deeper than {MaxDepth}");
            }
        }

        return part;
    }
}
