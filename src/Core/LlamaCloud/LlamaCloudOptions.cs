namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// Where LlamaCloud is and how to talk to it ("LlamaCloud" section). The key itself is read from
/// <c>LLAMA_CLOUD_API_KEY</c> or from <see cref="ApiKeyFile"/>, never from a committed file.
/// </summary>
public sealed class LlamaCloudOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "LlamaCloud";

    /// <summary>Production base URL (LLAMACLOUD.md §1.1); <c>LLAMA_CLOUD_BASE_URL</c> overrides it.</summary>
    public static readonly Uri ProductionBaseUrl = new("https://api.cloud.llamaindex.ai/");

    /// <summary>API base URL. Empty means production, or the in-process Sandbox when no key is set.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>
    /// A file holding the API key (e.g. a systemd credential or a mounted Kubernetes secret).
    /// Used when <c>LLAMA_CLOUD_API_KEY</c> is not set.
    /// </summary>
    public string? ApiKeyFile { get; set; }

    /// <summary>Time allowed for one attempt of one request (an upload of a large file included).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Retries of a failed request after the first attempt (the official SDKs use 2).</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>
    /// Accept a plain-http <see cref="BaseUrl"/> off loopback: only for a Sandbox on a private network
    /// (docker compose); the API key would cross the network in clear text.
    /// </summary>
    public bool AllowHttp { get; set; }

    /// <summary>Resolved at start-up from the environment or <see cref="ApiKeyFile"/>; never bound from JSON.</summary>
    internal string? ApiKey { get; set; }

    /// <summary>Never prints the key.</summary>
    public override string ToString() => $"LlamaCloud {BaseUrl} (key {(string.IsNullOrEmpty(ApiKey) ? "not set" : "set")})";
}
