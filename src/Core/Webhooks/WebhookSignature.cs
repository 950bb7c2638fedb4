using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace BatchOrchestrator.Core.Webhooks;

/// <summary>
/// <c>LC-Signature: sha256=&lt;hex HMAC-SHA256 of the raw body&gt;</c> (docs/llamacloud-api.md §1.6), compared
/// in constant time so a forger learns nothing from how long a refusal takes.
/// </summary>
internal static class WebhookSignature
{
    public const string Header = "LC-Signature";
    private const string Prefix = "sha256=";

    public static string Compute(string secret, ReadOnlySpan<byte> body) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>Whether the header has the form of a signature at all: what can be told before the body is read.</summary>
    public static bool IsWellFormed([NotNullWhen(true)] string? header) =>
        header is not null && header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && header.Length == Prefix.Length + 64;

    public static bool IsValid(string secret, ReadOnlySpan<byte> body, string? header)
    {
        if (!IsWellFormed(header))
        {
            return false;
        }

        Span<byte> provided = stackalloc byte[32];
        if (Convert.FromHexString(header.AsSpan(Prefix.Length), provided, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, provided);
    }
}
