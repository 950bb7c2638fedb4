using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Persistence;

/// <summary>Checks the "Database" section: an external server's connection string, or the embedded server's settings.</summary>
internal sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    /// <summary>The parser's own message could quote the string, password and all: this names the key only.</summary>
    public const string UnparsableConnectionString = $"{DatabaseOptions.SectionName}:ConnectionString: not a valid PostgreSQL connection string";

    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        var failures = new List<string>();
        const string section = DatabaseOptions.SectionName;
        if (!options.UsesEmbedded)
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            }
            catch (ArgumentException)
            {
                failures.Add(UnparsableConnectionString);
            }

            return Result(failures);
        }

        var embedded = options.Embedded;
        if (string.IsNullOrWhiteSpace(embedded.DataDirectory))
        {
            failures.Add($"{section}:Embedded:DataDirectory: is required (a folder kept across restarts)");
        }

        if (embedded.Port is < 0 or > 65_535)
        {
            failures.Add($"{section}:Embedded:Port: {embedded.Port} must be between 1 and 65535, or 0 to pick a free one");
        }

        if (string.IsNullOrWhiteSpace(embedded.RunAsUser))
        {
            failures.Add($"{section}:Embedded:RunAsUser: is required (PostgreSQL refuses to run as root)");
        }

        return Result(failures);
    }

    private static ValidateOptionsResult Result(List<string> failures) =>
        failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
}
