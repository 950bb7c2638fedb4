using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Core.Webhooks;

/// <summary>Checks the "Webhooks" section, naming each key (never printing the secret).</summary>
internal sealed class WebhookOptionsValidator : OptionsValidator<WebhookOptions>
{
    public const int MinSecretLength = 16;

    protected override void Check(WebhookOptions options, List<string> failures)
    {
        if (options.PublicUrl is { } url)
        {
            if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
            {
                failures.Add($"Webhooks:PublicUrl: '{WebhookOptions.Shown(url)}' must be an absolute http(s) URL");
            }
            else if (url.Scheme != Uri.UriSchemeHttps && !url.IsLoopback)
            {
                failures.Add($"Webhooks:PublicUrl: '{WebhookOptions.Shown(url)}' must use https (plain http is accepted only on loopback)");
            }

            if (options.SigningSecret is null)
            {
                failures.Add($"Webhooks:SigningSecret: required when Webhooks:PublicUrl is set (set {WebhookOptions.SecretVariable} or Webhooks:SigningSecretFile); unsigned deliveries are refused");
            }
            else if (options.SigningSecret.Length < MinSecretLength)
            {
                failures.Add($"Webhooks:SigningSecret: must be at least {MinSecretLength} characters");
            }
        }

        if (options.SigningSecretFileProblem is { } problem)
        {
            failures.Add($"Webhooks:SigningSecretFile: {problem}");
        }
        else if (!string.IsNullOrWhiteSpace(options.SigningSecretFile) && !File.Exists(options.SigningSecretFile))
        {
            // A value without a '/' is as likely the secret itself, put where its file's path goes, as a file name: not shown.
            failures.Add(options.SigningSecretFile.Contains('/', StringComparison.Ordinal)
                ? $"Webhooks:SigningSecretFile: file '{options.SigningSecretFile}' does not exist"
                : $"Webhooks:SigningSecretFile: no such file (the value is not shown: it may be the secret itself); give the path of a file holding the secret, or the secret itself in {WebhookOptions.SecretVariable}");
        }

        // ASP.NET Core's Map refuses a path ending in '/' when the service starts, with a stack trace naming no key.
        if (!options.Path.StartsWith('/') || options.Path.Length < 2 || options.Path.EndsWith('/'))
        {
            failures.Add($"Webhooks:Path: '{options.Path}' must start with '/' and not end with one");
        }

        if (options.MissedAfter <= TimeSpan.Zero || options.MissedAfter > TimeSpan.FromDays(1))
        {
            failures.Add($"Webhooks:MissedAfter: '{options.MissedAfter}' must be more than zero and at most a day");
        }

        if (options.MaxBodyBytes < 1024)
        {
            failures.Add("Webhooks:MaxBodyBytes: must be at least 1024");
        }
    }
}
