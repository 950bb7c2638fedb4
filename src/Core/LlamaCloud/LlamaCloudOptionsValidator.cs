using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>Checks the "LlamaCloud" section, naming each key at fault (never printing the key itself).</summary>
internal sealed class LlamaCloudOptionsValidator : IValidateOptions<LlamaCloudOptions>
{
    public ValidateOptionsResult Validate(string? name, LlamaCloudOptions options)
    {
        var failures = new List<string>();
        if (options.BaseUrl is { } url && url.Scheme != Uri.UriSchemeHttps && !url.IsLoopback && !options.AllowHttp)
        {
            failures.Add($"LlamaCloud:BaseUrl: '{url}' must use https (plain http is accepted only on loopback, or with LlamaCloud:AllowHttp for a Sandbox on a private network)");
        }

        if (!string.IsNullOrWhiteSpace(options.ApiKeyFile) && !File.Exists(options.ApiKeyFile))
        {
            failures.Add($"LlamaCloud:ApiKeyFile: file '{options.ApiKeyFile}' does not exist");
        }

        if (options.AttemptTimeout <= TimeSpan.Zero)
        {
            failures.Add("LlamaCloud:AttemptTimeout: must be positive");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            failures.Add($"LlamaCloud:MaxRetries: {options.MaxRetries} must be between 0 and 10");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
