using System.Net.Http.Headers;
using BatchOrchestrator.Core.Validation;
using Microsoft.Extensions.Configuration;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// Where the key and base URL come from: <c>LLAMA_CLOUD_API_KEY</c> / <c>LLAMA_CLOUD_BASE_URL</c>
/// (the SDKs' variables), else the key file. The key is held only in options and the auth header.
/// </summary>
internal static class LlamaCloudKey
{
    public const string ApiKeyVariable = "LLAMA_CLOUD_API_KEY";
    public const string BaseUrlVariable = "LLAMA_CLOUD_BASE_URL";

    public static void Resolve(LlamaCloudOptions options, IConfiguration configuration)
    {
        var key = configuration[ApiKeyVariable];
        options.ApiKeyKey = ApiKeyVariable;
        if (string.IsNullOrWhiteSpace(key) && !string.IsNullOrWhiteSpace(options.ApiKeyFile) && File.Exists(options.ApiKeyFile))
        {
            options.ApiKeyKey = $"{LlamaCloudOptions.SectionName}:{nameof(LlamaCloudOptions.ApiKeyFile)}";
            key = ReadKeyFile(options);
        }

        options.ApiKey = string.IsNullOrWhiteSpace(key) ? null : key.Trim();

        // A key put in the settings ('LlamaCloud__ApiKey', or committed to appsettings.json) is read by nothing: left to a
        // warning, the service would start against the in-process Sandbox and mark real files done with its made-up results.
        options.ApiKeyInSettings = !string.IsNullOrWhiteSpace(configuration[$"{LlamaCloudOptions.SectionName}:ApiKey"]);

        // One word, as every key is: a line break or space inside is two keys pasted, or a comment, which the API
        // refuses on every request. Refused by the validator, never printed.
        options.ApiKeyHasGaps = options.ApiKey?.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) == true;

        // A base URL given but unusable (no scheme: 'api.cloud.eu.llamaindex.ai') is refused by the validator,
        // never replaced by the production default: the key would go to a region it was not meant for.
        var fromEnvironment = configuration[BaseUrlVariable];
        var given = string.IsNullOrWhiteSpace(fromEnvironment) ? options.BaseUrl?.OriginalString : fromEnvironment.Trim();
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            options.BaseUrlKey = BaseUrlVariable;
        }

        // Set to blanks is not set, as SandboxMode reads it.
        options.BaseUrl = string.IsNullOrWhiteSpace(given) ? null : Usable(given);
        if (options.BaseUrl is null && !string.IsNullOrWhiteSpace(given))
        {
            options.UnusableBaseUrl = UrlShown.WithoutSecrets(given);
            return;
        }

        if (options.BaseUrl is { } url && (url.UserInfo.Length > 0 || url.Query.Length > 0 || url.Fragment.Length > 0))
        {
            // Credentials or a key in the URL would be printed wherever the URL is (config check, the refusal below),
            // and a query is lost from every request path anyway: refused, shown without them.
            options.BaseUrl = null;
            options.BaseUrlWithExtras = url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
            return;
        }

        options.BaseUrl ??= LlamaCloudOptions.ProductionBaseUrl;
        if (!options.BaseUrl.AbsoluteUri.EndsWith('/'))
        {
            options.BaseUrl = new Uri(options.BaseUrl.AbsoluteUri + "/");
        }
    }

    /// <summary>
    /// The key file's content, or null with the reason left for the validator (empty, unreadable): start-up then names
    /// LlamaCloud:ApiKeyFile in one line rather than stopping with a stack trace, or starting with no key at all against
    /// LlamaCloud, which refuses every request.
    /// </summary>
    private static string? ReadKeyFile(LlamaCloudOptions options)
    {
        var path = Path.GetFullPath(options.ApiKeyFile!);
        try
        {
            var key = File.ReadAllText(path).Trim();
            if (key.Length == 0)
            {
                options.ApiKeyFileProblem = $"file '{path}' is empty; put the API key in it, or leave LlamaCloud:ApiKeyFile empty to use the in-process Sandbox";
            }

            return key;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            options.ApiKeyFileProblem = $"file '{path}' cannot be read by this user ({ex.Message}); give the service's user read access to it";
            return null;
        }
    }

    private static Uri? Usable(string given) =>
        Uri.TryCreate(given, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp) ? url : null;

    /// <summary>True when no key is configured anywhere (the Worker then hosts the Sandbox).</summary>
    public static bool IsMissing(IConfiguration configuration)
    {
        var file = configuration[$"{LlamaCloudOptions.SectionName}:{nameof(LlamaCloudOptions.ApiKeyFile)}"];
        return string.IsNullOrWhiteSpace(configuration[ApiKeyVariable])
            && (string.IsNullOrWhiteSpace(file) || !File.Exists(file));
    }

    /// <summary>True when a base URL is given, in the environment or the section (blanks are not given, as <see cref="Resolve"/> reads them).</summary>
    public static bool IsBaseUrlGiven(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[BaseUrlVariable])
        || !string.IsNullOrWhiteSpace(configuration[$"{LlamaCloudOptions.SectionName}:{nameof(LlamaCloudOptions.BaseUrl)}"]);

    public static void Configure(HttpClient http, LlamaCloudOptions options)
    {
        http.BaseAddress = options.BaseUrl;
        http.Timeout = Timeout.InfiniteTimeSpan; // each attempt is timed by LlamaCloudPipeline
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        foreach (var product in UserAgent.Value)
        {
            http.DefaultRequestHeaders.UserAgent.Add(product);
        }

        if (options.ApiKey is { } key)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
    }
}
