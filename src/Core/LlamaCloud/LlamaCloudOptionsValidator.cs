using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>Checks the "LlamaCloud" section, naming each key at fault (never printing the key itself).</summary>
internal sealed class LlamaCloudOptionsValidator : OptionsValidator<LlamaCloudOptions>
{
    protected override void Check(LlamaCloudOptions options, List<string> failures)
    {
        if (options.UnusableBaseUrl is { } unusable)
        {
            failures.Add($"{options.BaseUrlKey}: '{unusable}' is not an absolute https URL; expected one such as https://api.cloud.eu.llamaindex.ai/ (the EU region), or leave it empty for {LlamaCloudOptions.ProductionBaseUrl}");
        }
        else if (options.BaseUrlWithExtras is { } shown)
        {
            failures.Add($"{options.BaseUrlKey}: '{shown}' was given with a user name, password, query or fragment, which are not shown here and must go: the API key goes in {LlamaCloudKey.ApiKeyVariable} or LlamaCloud:ApiKeyFile");
        }
        else if (options.BaseUrl is { } url && url.Scheme != Uri.UriSchemeHttps && !url.IsLoopback && !options.AllowHttp)
        {
            failures.Add($"{options.BaseUrlKey}: '{url}' must use https (plain http is accepted only on loopback, or with LlamaCloud:AllowHttp for a Sandbox on a private network)");
        }

        if (options.ApiKeyInSettings)
        {
            failures.Add($"LlamaCloud:ApiKey: a key is never read from the settings (the value is not shown); give it in {LlamaCloudKey.ApiKeyVariable}, or in a file LlamaCloud:ApiKeyFile names, and take it out of the settings");
        }

        if (!string.IsNullOrWhiteSpace(options.ApiKeyFile) && Directory.Exists(options.ApiKeyFile))
        {
            failures.Add($"LlamaCloud:ApiKeyFile: '{Path.GetFullPath(options.ApiKeyFile)}' is a folder, not a file holding the API key");
        }
        else if (!string.IsNullOrWhiteSpace(options.ApiKeyFile) && !File.Exists(options.ApiKeyFile))
        {
            // A value without a '/' is as likely the key itself, put where its file's path goes, as a file name: not shown.
            failures.Add(options.ApiKeyFile.Contains('/', StringComparison.Ordinal)
                ? $"LlamaCloud:ApiKeyFile: file '{options.ApiKeyFile}' does not exist"
                : $"LlamaCloud:ApiKeyFile: no such file (the value is not shown: it may be the key itself); give the path of a file holding the key, such as /etc/batch-orchestrator/llama-cloud-api-key, or the key itself in {LlamaCloudKey.ApiKeyVariable}");
        }
        else if (options.ApiKeyFileProblem is { } problem)
        {
            failures.Add($"LlamaCloud:ApiKeyFile: {problem}");
        }
        else if (options.ApiKeyHasGaps)
        {
            failures.Add($"{options.ApiKeyKey}: the API key has a line break or space inside it (two keys, or a comment, in one value?); give the key alone, on one line");
        }

        // Polly's timeout strategy refuses a timeout outside 10 ms to a day, at the first call and without naming the key.
        if (options.AttemptTimeout <= TimeSpan.FromMilliseconds(10) || options.AttemptTimeout >= TimeSpan.FromDays(1))
        {
            failures.Add($"LlamaCloud:AttemptTimeout: {options.AttemptTimeout} must be more than 10 ms and less than a day");
        }

        failures.AddUnlessBetween("LlamaCloud:MaxRetries", options.MaxRetries, 0, 10);

        if (options.FirstRetryDelay < TimeSpan.Zero || options.FirstRetryDelay > options.MaxRetryDelay)
        {
            failures.Add($"LlamaCloud:FirstRetryDelay: {options.FirstRetryDelay} must be between 0 and LlamaCloud:MaxRetryDelay ({options.MaxRetryDelay})");
        }

        if (options.MaxRetryDelay > TimeSpan.FromMinutes(10))
        {
            failures.Add($"LlamaCloud:MaxRetryDelay: {options.MaxRetryDelay} must be at most 10 minutes");
        }

        if (options.MaxRetryAfter <= TimeSpan.Zero || options.MaxRetryAfter > TimeSpan.FromDays(1))
        {
            failures.Add($"LlamaCloud:MaxRetryAfter: {options.MaxRetryAfter} must be positive and at most a day");
        }

        if (options.MaxInProcessRetryWait < TimeSpan.Zero || options.MaxInProcessRetryWait >= options.AttemptTimeout)
        {
            failures.Add($"LlamaCloud:MaxInProcessRetryWait: {options.MaxInProcessRetryWait} must be between 0 and LlamaCloud:AttemptTimeout ({options.AttemptTimeout})");
        }

        if (options.UnansweredCreateWait < TimeSpan.Zero || options.UnansweredCreateWait > TimeSpan.FromDays(1))
        {
            failures.Add($"LlamaCloud:UnansweredCreateWait: {options.UnansweredCreateWait} must be between 0 and a day");
        }

        if (string.IsNullOrWhiteSpace(options.V1UserId))
        {
            failures.Add("LlamaCloud:V1UserId: must not be empty (the v1 classify job_config requires a user_id)");
        }

        failures.AddRange(ProjectIds.Validate(options.ProjectId, options.OrganizationId, "LlamaCloud"));
    }
}
