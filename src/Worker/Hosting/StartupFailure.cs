using System.Text.RegularExpressions;
using BatchOrchestrator.Persistence.Embedded;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BatchOrchestrator.Worker.Hosting;

/// <summary>
/// The start-up failures we can foresee (a bad setting, no PostgreSQL binaries, a port taken, a data
/// folder that belongs to someone else, a database that does not answer), each as one line naming the
/// cause and the setting to change. Anything else is a bug and keeps its stack trace.
/// </summary>
internal static partial class StartupFailure
{
    public static string? Explain(Exception exception) => exception switch
    {
        OptionsValidationException or AggregateException => Reasons(exception) is { } reasons ? string.Join("; ", Distinct(reasons)) : null,
        _ => One(exception),
    };

    /// <summary>
    /// Every failure once. A validator that reads another section's options (Hangfire:Server's reads Polling) throws
    /// that section's failures as its own, so start-up's validation can collect the same line twice. An element of a
    /// list holding a value of the wrong type is named for that value alone (what its defaults cause is nobody's).
    /// </summary>
    public static IEnumerable<string> Distinct(IEnumerable<string> failures) =>
        Core.Validation.ConvertibleValues.WithoutWhatWrongTypesCause(failures.Distinct(StringComparer.Ordinal));

    // The failures of one options section, or of several together; null when any part is not foreseen.
    private static List<string>? Reasons(Exception exception) => exception switch
    {
        OptionsValidationException invalid => [.. invalid.Failures],
        AggregateException many when many.InnerExceptions.Count > 0 => many.InnerExceptions.Select(Reasons).ToList() is var parts && parts.All(p => p is not null)
            ? [.. parts.SelectMany(p => p!)]
            : null,
        _ => One(exception) is { } one ? [one] : null,
    };

    private static string? One(Exception exception) => exception switch
    {
        EmbeddedPostgresException embedded => embedded.Message,
        Persistence.Migrations.SchemaNewerThanBuildException newer => newer.Message,
        Persistence.Migrations.DatabaseEncodingException encoding => encoding.Message,
        Sandbox.SandboxPortInUseException taken => taken.Message,
        IOException { InnerException: AddressInUseException } taken => $"Urls: {Address(taken.Message)} is in use by another program (BatchOrchestrator already running?); stop it, or set Urls to a free address",
        PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } =>
            "Database:ConnectionString: PostgreSQL refused the user name or password",
        PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } => "Database:ConnectionString: the database it names does not exist",
        NpgsqlException { InnerException: System.Net.Sockets.SocketException or TimeoutException } unreachable =>
            $"Database:ConnectionString: PostgreSQL does not answer ({unreachable.Message}); start it, fix the host and port, or leave the setting empty for the embedded server",
        _ => null,
    };

    private static string Address(string message) => BindAddress().Match(message) is { Success: true } match ? match.Groups["url"].Value : "its address";

    // Kestrel: "Failed to bind to address http://127.0.0.1:5080: address already in use."
    [GeneratedRegex(@"address (?<url>\S+): address already in use", RegexOptions.IgnoreCase)]
    private static partial Regex BindAddress();
}
