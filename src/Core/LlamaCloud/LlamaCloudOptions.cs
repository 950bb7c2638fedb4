namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// Where LlamaCloud is and how to talk to it ("LlamaCloud" section). The key itself is read from
/// <c>LLAMA_CLOUD_API_KEY</c> or from <see cref="ApiKeyFile"/>, never from a committed file.
/// </summary>
public sealed class LlamaCloudOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "LlamaCloud";

    /// <summary>Production base URL (docs/llamacloud-api.md §1.1); <c>LLAMA_CLOUD_BASE_URL</c> overrides it.</summary>
    public static readonly Uri ProductionBaseUrl = new("https://api.cloud.llamaindex.ai/");

    /// <summary>API base URL. Empty means production, or the in-process Sandbox when no key is set.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>
    /// A file holding the API key (e.g. a systemd credential or a mounted Kubernetes secret).
    /// Used when <c>LLAMA_CLOUD_API_KEY</c> is not set.
    /// </summary>
    public string? ApiKeyFile { get; set; }

    /// <summary>
    /// Time allowed for one attempt of one request, from sending it (an upload of a large file included) to the
    /// answer's last byte (the SDK's 60 s ends at the answer's headers; docs/configuration-llamacloud.md, "Retries").
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Retries of a failed request after the first attempt: 5, as the TypeScript SDK 2.16.0
    /// (<c>client.js</c>: <c>options.maxRetries ?? 5</c>).
    /// </summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>Wait before the first retry when the server gives no hint; doubled per retry (SDK 2.16.0: 0.5 s).</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Longest wait between retries without a server hint (SDK 2.16.0: 8 s); up to a quarter less with jitter.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>
    /// The longest server hint (<c>retry-after-ms</c>, <c>Retry-After</c>) honoured; a longer one is
    /// taken as this. The SDK has no cap; ours keeps a wrong header from parking work for days.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// A server hint up to this long is slept in-process before the retry; a longer one ends the call
    /// with the hint, and the step that made it is scheduled again after the hint.
    /// </summary>
    public TimeSpan MaxInProcessRetryWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long after a create whose answer was lost (a timeout, a gateway's 5xx, a step cut off mid-call) the
    /// server may still make the batch. Until then the submit step only looks for it, coming back later, and sends
    /// no second create: one would bill the same files twice (docs/resilience.md, "A create that was not answered").
    /// 0 creates again as soon as the look finds nothing.
    /// </summary>
    public TimeSpan UnansweredCreateWait { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The project calls act in by default (a UUID or <c>prj-…</c>); empty means the API key's own project.</summary>
    public string? ProjectId { get; set; }

    /// <summary>The organisation calls act in by default; empty lets the project (or the key) decide.</summary>
    public string? OrganizationId { get; set; }

    /// <summary>
    /// The <c>user_id</c> sent in a legacy v1 classify job's <c>job_config</c>, which the SDK's type requires
    /// although a client cannot know its own user id (docs/llamacloud-api.md §11.11). Our guess is that the
    /// service takes the user from the key and ignores it; set your user id here if a create is refused over it.
    /// </summary>
    public string V1UserId { get; set; } = "batchorchestrator";

    /// <summary>
    /// Accept a plain-http <see cref="BaseUrl"/> off loopback: only for a Sandbox on a private network
    /// (docker compose); the API key would cross the network in clear text.
    /// </summary>
    public bool AllowHttp { get; set; }

    /// <summary>Resolved at start-up from the environment or <see cref="ApiKeyFile"/>; never bound from JSON.</summary>
    internal string? ApiKey { get; set; }

    /// <summary>Where <see cref="ApiKey"/> was read: <c>LLAMA_CLOUD_API_KEY</c>, or <see cref="ApiKeyFile"/>'s key.</summary>
    internal string ApiKeyKey { get; set; } = LlamaCloudKey.ApiKeyVariable;

    /// <summary>Why <see cref="ApiKeyFile"/> gave no key (empty, unreadable), refused by the validator.</summary>
    internal string? ApiKeyFileProblem { get; set; }

    /// <summary>The key has a line break or space inside it (refused by the validator, never shown).</summary>
    internal bool ApiKeyHasGaps { get; set; }

    /// <summary>A value was given as <c>LlamaCloud:ApiKey</c>, which nothing reads (refused by the validator, never shown).</summary>
    internal bool ApiKeyInSettings { get; set; }

    /// <summary>Where <see cref="BaseUrl"/> was given: <c>LLAMA_CLOUD_BASE_URL</c>, or this section's key.</summary>
    internal string BaseUrlKey { get; set; } = $"{SectionName}:{nameof(BaseUrl)}";

    /// <summary>A base URL given that is not an absolute http(s) URL (left unused, and refused by the validator).</summary>
    internal string? UnusableBaseUrl { get; set; }

    /// <summary>
    /// A base URL given with a user name, password, query or fragment, shown without them (left unused, and
    /// refused by the validator): what was there is likely a secret.
    /// </summary>
    internal string? BaseUrlWithExtras { get; set; }

    /// <summary>Never prints the key.</summary>
    public override string ToString() =>
        $"LlamaCloud {BaseUrl} project {ProjectScope.From(ProjectId, OrganizationId).Key} (key {(string.IsNullOrEmpty(ApiKey) ? "not set" : "set")})";
}
