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

        if (!string.IsNullOrWhiteSpace(options.SigningSecretFile) && Directory.Exists(options.SigningSecretFile))
        {
            options.SigningSecretFileProblem = $"'{Path.GetFullPath(options.SigningSecretFile)}' is a folder, not a file holding the signing secret";
        }
        else if (string.IsNullOrWhiteSpace(secret) && !string.IsNullOrWhiteSpace(options.SigningSecretFile) && File.Exists(options.SigningSecretFile))
        {
            // Unreadable by the service's user: said by the validator in one line naming the key, as the API key's file is.
            try
            {
                secret = File.ReadAllText(options.SigningSecretFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                options.SigningSecretFileProblem = $"file '{Path.GetFullPath(options.SigningSecretFile)}' cannot be read by this user ({ex.Message}); give the service's user read access to it";
            }
        }

        options.SigningSecret = string.IsNullOrWhiteSpace(secret) ? null : secret.Trim();
    }
}
