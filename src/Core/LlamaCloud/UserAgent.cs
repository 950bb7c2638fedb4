using System.Net.Http.Headers;
using System.Reflection;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// <c>User-Agent: BatchOrchestrator/&lt;informational version&gt;</c>, followed by
/// <c>(+&lt;repository url&gt;)</c> when the build records one, on every request: the SDKs name
/// themselves the same way (<c>LlamaCloud/JS &lt;version&gt;</c>), so LlamaCloud can tell our traffic apart.
/// </summary>
internal static class UserAgent
{
    public const string Product = "BatchOrchestrator";

    public static readonly IReadOnlyList<ProductInfoHeaderValue> Value = Build();

    private static List<ProductInfoHeaderValue> Build()
    {
        var assembly = typeof(UserAgent).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "0.0.0";
        var product = new List<ProductInfoHeaderValue> { new(Product, Token(version)) };
        var repository = assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "RepositoryUrl")?.Value;
        if (!string.IsNullOrWhiteSpace(repository))
        {
            product.Add(new ProductInfoHeaderValue($"(+{repository})"));
        }

        return product;
    }

    // A product version is an HTTP token: no spaces or separators.
    private static string Token(string version) =>
        new([.. version.Select(c => char.IsAsciiLetterOrDigit(c) || ".-+_~!#$%&'*^`|".Contains(c, StringComparison.Ordinal) ? c : '-')]);
}
