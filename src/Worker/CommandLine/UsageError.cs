using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>
/// A command line no verb can run, said in one line that names the verb, the argument and what is wrong
/// (<c>approve: &lt;run-id&gt; must be a whole number, got 'abc'</c>), then the verb's help, on stderr.
/// System.CommandLine's own report exits 1, which is a verb's "failed", and names .NET types.
/// </summary>
internal static class UsageError
{
    public const int ExitCode = 2;

    /// <summary>The problem with the line, or null when a verb (or help) can run it.</summary>
    public static string? Of(ParseResult result, CommandLineSettings.Split line)
    {
        if (result.Action is HelpAction)
        {
            return null; // --help answers even a line that is wrong otherwise, as System.CommandLine does
        }

        var command = result.CommandResult;
        var verb = Verb(command.Command);
        if (line.KeyWithoutValue is { } key)
        {
            return $"{(verb.Length == 0 ? "" : verb + ": ")}the setting {key} has no value (write {key}=value)";
        }

        // System.CommandLine gives a --word the verb does not have to its argument: retry --faild, retry --filter x.
        var values = command.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens);
        if (values.FirstOrDefault(t => t.Value.StartsWith("--", StringComparison.Ordinal)) is { } word)
        {
            return Unknown(verb, word.Value);
        }

        if (result.UnmatchedTokens.Count > 0)
        {
            return Unknown(verb, result.UnmatchedTokens[0]);
        }

        if (result.Errors.Count == 0)
        {
            return null;
        }

        var error = result.Errors[0];
        return error.SymbolResult switch
        {
            ArgumentResult { Tokens.Count: 0 } missing => $"{verb}: <{missing.Argument.Name}> is missing" + Hint(line),
            ArgumentResult => $"{verb}: {error.Message}", // the argument's own parser wrote it (BatchCommandLine)
            OptionResult { Tokens.Count: 0 } option => $"{verb}: {option.Option.Name} needs a value",
            CommandResult { Command.Subcommands.Count: > 0 } parent =>
                $"{verb}: {string.Join(" or ", parent.Command.Subcommands.Select(c => $"'{Usage(c)}'"))} is missing",
            _ => $"{verb}: {error.Message}",
        };
    }

    /// <summary>Writes the problem and, under a verb, that verb's help.</summary>
    public static void Write(RootCommand root, ParseResult result, string problem, TextWriter error)
    {
        error.WriteLine(problem);
        if (result.CommandResult.Command != root)
        {
            error.WriteLine();
            root.Parse([.. Names(result.CommandResult.Command), "--help"]).Invoke(new InvocationConfiguration { Output = error });
        }
    }

    private static string Unknown(string verb, string token) => verb.Length == 0
        ? $"Unknown command or argument '{Shown(token)}'. Run with --help to see the commands."
        : $"{verb}: {(token.StartsWith('-') ? "unknown option" : "unexpected argument")} '{Shown(token)}'";

    /// <summary>'retry --faild docs' reads as the setting faild=docs, which leaves retry without its source.</summary>
    private static string Hint(CommandLineSettings.Split line) =>
        line.FirstPair is var (key, value) ? $" ('{(MayBeSecret(key + value) || IsApiKey(value) ? "…" : value)}' after '{key}' is read as that setting's value)" : "";

    // A word that may carry a secret (a connection string's password, a key given as 'LLAMA_CLOUD_APIKEY=…', a setting
    // spelt as its environment variable) is quoted up to its '=' only: stderr ends up in CI logs and the journal.
    // A bare word in the form of a LlamaCloud API key (docs/llamacloud-api.md: "llx-…"), pasted where a value was
    // meant, is quoted by its prefix alone.
    internal static string Shown(string token) =>
        IsApiKey(token) ? ApiKeyPrefix + "…"
        : token.IndexOf('=', StringComparison.Ordinal) is var equals and > 0 && MayBeSecret(token) ? token[..(equals + 1)] + "…"
        : token;

    private const string ApiKeyPrefix = "llx-";

    private static bool IsApiKey(string word) => word.StartsWith(ApiKeyPrefix, StringComparison.OrdinalIgnoreCase);

    private static bool MayBeSecret(string text) =>
        SecretWords.Any(word => text.Contains(word, StringComparison.OrdinalIgnoreCase));

    private static readonly string[] SecretWords = ["key", "secret", "password", "pwd", "token", "connection", "hash", "credential"];

    private static string Usage(Command command) =>
        string.Join(' ', [command.Name, .. command.Arguments.Select(a => $"<{a.Name}>")]);

    private static string Verb(Command command) => string.Join(' ', Names(command));

    private static IEnumerable<string> Names(Command command) =>
        command.Parents.OfType<Command>().FirstOrDefault() is { } parent ? [.. Names(parent), command.Name] : [];
}
