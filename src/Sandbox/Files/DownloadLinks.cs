using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace BatchOrchestrator.Sandbox.Files;

/// <summary>
/// "Presigned" download URLs served by the Sandbox itself (GET /_sandbox/downloads/{file_id}):
/// like an S3 link they need no bearer key, only an unexpired HMAC signature.
/// </summary>
internal sealed class DownloadLinks(TimeProvider clock)
{
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public PresignedUrlDto Create(HttpRequest request, string fileId, TimeSpan? lifetime = null)
    {
        var expiresAt = clock.GetUtcNow() + (lifetime ?? DefaultLifetime);
        var expires = expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var url = $"{request.Scheme}://{request.Host}/_sandbox/downloads/{Uri.EscapeDataString(fileId)}?expires={expires}&signature={Sign(fileId, expires)}";
        return new PresignedUrlDto(url, expiresAt, null);
    }

    public bool IsValid(string fileId, string? expires, string? signature)
    {
        if (expires is null || signature is null || !long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        return seconds >= clock.GetUtcNow().ToUnixTimeSeconds()
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(fileId, expires)), Encoding.ASCII.GetBytes(signature));
    }

    private string Sign(string fileId, string expires)
        => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{fileId}\n{expires}")));
}
