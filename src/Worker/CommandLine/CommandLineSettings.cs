using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>
/// Takes the configuration settings off the command line before System.CommandLine sees it: a token with
/// '=' in it (<c>--Sources:0:Path=/data/in</c>, <c>/Urls=…</c>, <c>Key=value</c>) and a <c>--Key value</c> pair,
/// the forms Microsoft.Extensions.Configuration.CommandLine reads. Left on the line, System.CommandLine
/// would take one for a verb's missing argument ('retry --Sources:0:Path=/x' ran a source named
/// '--Sources:0:Path=/x'). The verbs' own options stay, with their values.
/// </summary>
internal static class CommandLineSettings
{
    /// <summary>
    /// The line without its settings; the settings in their order; the first <c>--Key value</c> pair, if any; and a
    /// setting's key with no value after it (the line's last word, or followed by a verb's option), if any.
    /// </summary>
    public sealed record Split(string[] Words, string[] Settings, (string Key, string Value)? FirstPair, string? KeyWithoutValue = null);

    public static Split Of(IReadOnlyList<string> args, IReadOnlySet<string> optionNames, IReadOnlySet<string> optionsWithValue)
    {
        var words = new List<string>();
        var settings = new List<string>();
        (string, string)? firstPair = null;
        string? keyWithoutValue = null;
        for (var i = 0; i < args.Count; i++)
        {
            var token = args[i];
            var hasNext = i + 1 < args.Count;
            if (token == "--")
            {
                // System.CommandLine's "only arguments from here on", as the user asked.
                words.AddRange(args.Skip(i));
                break;
            }

            if (optionNames.Contains(OptionName(token)))
            {
                words.Add(token);
                if (optionsWithValue.Contains(token) && hasNext)
                {
                    words.Add(args[++i]); // --filter 'a=b/**' is a glob, not a setting
                }
            }
            else if ((token.Contains('=', StringComparison.Ordinal) || token.StartsWith('-') || token.StartsWith('/')) && !NamesASetting(token))
            {
                // '--days 3' to a verb with no --days: an option mistyped or imagined, not a setting; the verb refuses it.
                words.Add(token);
            }
            else if (token.Contains('=', StringComparison.Ordinal))
            {
                settings.Add(token);
            }
            else if (token.StartsWith('-') || token.StartsWith('/'))
            {
                // '--Key value' or '/Key value': as Microsoft's reader, the next word is the value whatever it starts with
                // ('--Sources:0:Exclude:0 -x'), unless it is one of the verbs' options or the end of the options.
                if (hasNext && args[i + 1] != "--" && !optionNames.Contains(OptionName(args[i + 1])))
                {
                    firstPair ??= (token, args[i + 1]);
                    settings.Add(token);
                    settings.Add(args[++i]);
                }
                else
                {
                    keyWithoutValue ??= token;
                }
            }
            else
            {
                // A verb, an argument, or a --word with no value: no setting has one, so the verb refuses it.
                words.Add(token);
            }
        }

        return new Split([.. words], [.. settings], firstPair, keyWithoutValue);
    }

    /// <summary>
    /// Whether a token may be a setting: its key has a section (<c>Sources:0:Path</c>), or is one of the few this
    /// service reads at the top level (the host's, the API's two variables, the webhook secret's). Any other word of the form
    /// <c>--days</c> or <c>--days=3</c> was read as a setting nothing reads, and the verb ran as if it were not there.
    /// </summary>
    private static bool NamesASetting(string token)
    {
        if (token.StartsWith('-') && !token.StartsWith("--", StringComparison.Ordinal))
        {
            return false; // '-Key=value': Microsoft's reader takes a single dash only for switches mapped in code, and we map none
        }

        var key = token.TrimStart('-', '/');
        key = key.IndexOf('=', StringComparison.Ordinal) is var end and >= 0 ? key[..end] : key;
        return key.Contains(':', StringComparison.Ordinal) || TopLevelKeys.Contains(key);
    }

    private static readonly HashSet<string> TopLevelKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "urls", "environment", "contentRoot", "applicationName", LlamaCloudKey.ApiKeyVariable, LlamaCloudKey.BaseUrlVariable, Core.Webhooks.WebhookOptions.SecretVariable,
    };

    /// <summary>System.CommandLine also reads an option's value after '=' or ':' (--filter=a/**).</summary>
    private static string OptionName(string token) =>
        token.IndexOfAny(['=', ':']) is var end and > 0 ? token[..end] : token;
}
