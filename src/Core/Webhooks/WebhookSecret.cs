using Microsoft.Extensions.Configuration;

namespace BatchOrchestrator.Core.Webhooks;

/// <summary>Finds the signing secret: the environment variable, then <c>Webhooks:SigningSecret</c>, then the secret file.</summary>
internal static class WebhookSecret
{
    public static void Resolve(WebhookOptions options, IConfiguration configuration)
    {
        var secret = configuration[WebhookOptions.SecretVariable];
        if (string.IsNullOrWhiteSpace(secret))
        {
            secret = configuration[$"{WebhookOptions.SectionName}:SigningSecret"];
        }

        if (string.IsNullOrWhiteSpace(secret) && !string.IsNullOrWhiteSpace(options.SigningSecretFile) && File.Exists(options.SigningSecretFile))
        {
            secret = File.ReadAllText(options.SigningSecretFile);
        }

        options.SigningSecret = string.IsNullOrWhiteSpace(secret) ? null : secret.Trim();
    }
}
