using System.Net.Http.Headers;
using System.Text;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// The <c>Content-Disposition</c> of an uploaded file's part, for any name a file system can hold. A header
/// line cannot carry a raw CR or LF (.NET refuses to send one, and the service's parser ends the header
/// there), nor, quoted, a raw <c>"</c>; and .NET writes a non-ASCII <c>filename</c> as an RFC 2047 word that
/// a Python parser keeps verbatim, extension lost. So, as RFC 6266 §4.3 and RFC 5987 describe:
/// <c>filename</c> is an ASCII stand-in (each character a header cannot carry plainly becomes <c>_</c>, the
/// extension kept), and <c>filename*=utf-8''…</c> carries the exact name percent-encoded, whenever the two
/// differ. Which of the two the service uses is a guess (docs/llamacloud-api.md §4.2): recent
/// python-multipart reads <c>filename*</c>; older ones read the stand-in. Our own record of the name is the
/// relative path in <c>display_name</c> and <c>metadata.path</c>, which travel in the body and need no encoding.
/// </summary>
internal static class UploadFileName
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static ContentDispositionHeaderValue Disposition(string field, string fileName)
    {
        if (!CanCarry(fileName, out var reason))
        {
            throw new ArgumentException(reason, nameof(fileName));
        }

        var standIn = StandIn(fileName);
        var disposition = new ContentDispositionHeaderValue("form-data") { Name = Quote(field), FileName = Quote(standIn) };
        if (standIn != fileName)
        {
            disposition.FileNameStar = fileName; // .NET writes it as utf-8''<percent-encoded>
        }

        return disposition;
    }

    /// <summary>Only a name that is not valid Unicode (a lone surrogate) cannot be carried: UTF-8 has no bytes for it.</summary>
    public static bool CanCarry(string fileName, out string reason)
    {
        try
        {
            _ = Strict.GetByteCount(fileName);
            reason = "";
            return fileName.Length > 0;
        }
        catch (EncoderFallbackException)
        {
            reason = "its name is not valid Unicode, so no request can carry it; rename the file";
            return false;
        }
    }

    /// <summary>Printable ASCII but <c>"</c> and <c>\</c> (which quoting would have to escape) kept; anything else becomes <c>_</c>.</summary>
    public static string StandIn(string fileName) =>
        string.Create(fileName.Length, fileName, static (chars, name) =>
        {
            for (var i = 0; i < name.Length; i++)
            {
                var c = name[i];
                chars[i] = c is >= ' ' and <= '~' and not '"' and not '\\' ? c : '_';
            }
        });

    private static string Quote(string value) => "\"" + value + "\"";
}
