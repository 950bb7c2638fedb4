using System.Xml;
using DocumentFormat.OpenXml.Packaging;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// Reads what is counted in an Open XML part (a presentation's slide list, a workbook's sheets, a document's stated page
/// count) as a stream of elements, never as a tree. The Open XML SDK builds a tree by recursion, some frames per level of
/// nesting, and a stack overflow cannot be caught: a presentation or workbook of a few kilobytes, its part nesting 200,000
/// elements (a zip holds that in no room), ended the process at every scan that hashed it. And a tree takes memory by the
/// element: a presentation of 85 KB whose part holds 2.6 million empty elements (within
/// <see cref="PageCounter.MaxPartCharacters"/>) took 450 MB and seven seconds to load for its one slide. A stream takes
/// the same few buffers whatever the part holds. Compiled into the Sandbox with <see cref="PageCounter"/>.
/// </summary>
internal static class ShallowParts
{
    /// <summary>Far deeper than a presentation's, a workbook's or a document's properties part is ever nested (under ten).</summary>
    public const int MaxDepth = 256;

    /// <summary>
    /// How many <paramref name="item"/> elements the <paramref name="list"/> elements directly under the part's root hold
    /// directly (a presentation's <c>sldIdLst</c> of <c>sldId</c>); 0 for no part. Throws <see cref="InvalidDataException"/>
    /// for a part nested deeper than <see cref="MaxDepth"/>, as what no Office program writes.
    /// </summary>
    public static int Listed(OpenXmlPart? part, string list, string item)
    {
        var count = 0;
        string? underRoot = null;
        foreach (var reader in Elements(part))
        {
            if (reader.Depth == 1)
            {
                underRoot = reader.LocalName;
            }
            else if (reader.Depth == 2 && underRoot == list && reader.LocalName == item)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The text of the first <paramref name="name"/> element directly under the part's root (a document's <c>Pages</c>), or null.</summary>
    public static string? Text(OpenXmlPart? part, string name)
    {
        foreach (var reader in Elements(part))
        {
            if (reader.Depth == 1 && reader.LocalName == name)
            {
                return reader.IsEmptyElement ? "" : reader.ReadElementContentAsString();
            }
        }

        return null;
    }

    /// <summary>The part's elements as a reader positioned at each in turn, at most <see cref="PageCounter.MaxPartCharacters"/> of it.</summary>
    private static IEnumerable<XmlReader> Elements(OpenXmlPart? part)
    {
        if (part is null)
        {
            yield break;
        }

        using var stream = part.GetStream(FileMode.Open, FileAccess.Read);
        using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = PageCounter.MaxPartCharacters });
        while (reader.Read())
        {
            if (reader.Depth > MaxDepth)
            {
                throw new InvalidDataException($"its {part.Uri} nests elements deeper than {MaxDepth}");
            }

            if (reader.NodeType == XmlNodeType.Element)
            {
                yield return reader;
            }
        }
    }
}
