using System.Reflection;
using System.Text.RegularExpressions;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Logging;

namespace BatchOrchestrator.Persistence.Migrations;

/// <summary>
/// Applies the numbered <c>Migrations/NNNN_name.sql</c> files embedded in this assembly, in order,
/// one transaction each with its version recorded in the same transaction, then Hangfire's own
/// schema. A session advisory lock makes instances that start together take turns. A schema a newer build
/// migrated stops it (<see cref="SchemaNewerThanBuildException"/>), and so does a database not encoded in UTF-8
/// (<see cref="DatabaseEncodingException"/>).
/// </summary>
internal sealed partial class Migrator(NpgsqlDataSource dataSource, ILogger<Migrator> logger)
{
    public const string HangfireSchema = "hangfire";

    // Any constant will do, as long as nothing else in the database uses it.
    private const long AdvisoryLockKey = 0x42_4F_4D_49_47; // "BOMIG"

    public static IReadOnlyList<(int Version, string Name, string Sql)> Embedded { get; } = Load();

    public static int LatestVersion => Embedded[^1].Version;

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var encoding = new NpgsqlCommand("select current_setting('server_encoding')", connection))
        {
            // SQL_ASCII stores the bytes it is sent, so UTF-8 names keep their code-point order there too.
            if (await encoding.ExecuteScalarAsync(cancellationToken) is string name && name is not ("UTF8" or "SQL_ASCII"))
            {
                throw new DatabaseEncodingException(name);
            }
        }

        await Execute(connection, $"select pg_advisory_lock({AdvisoryLockKey})", cancellationToken);
        try
        {
            await Execute(connection, """
                create schema if not exists orchestrator;
                create table if not exists orchestrator.schema_version (
                    version int primary key,
                    name text not null,
                    applied_at timestamptz not null default now());
                """, cancellationToken);
            var applied = await AppliedVersionsAsync(connection, cancellationToken);
            if (applied.Count > 0 && applied.Max() > LatestVersion)
            {
                throw new SchemaNewerThanBuildException(applied.Max(), LatestVersion);
            }

            foreach (var (version, name, sql) in Embedded.Where(m => !applied.Contains(m.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using (var command = new NpgsqlCommand(sql, connection, transaction))
                {
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }

                await using (var record = new NpgsqlCommand("insert into orchestrator.schema_version (version, name) values ($1, $2)", connection, transaction))
                {
                    record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
                    record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                logger.LogInformation("Applied migration {Version} {Name}", version, name);
            }

            // Hangfire's installer is versioned and transactional itself; running it under our lock
            // keeps two instances from racing on it too.
            PostgreSqlObjectsInstaller.Install(connection, HangfireSchema);
        }
        finally
        {
            await Execute(connection, $"select pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    public async Task<int> CurrentVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "select coalesce(max(version), 0) from orchestrator.schema_version", connection);
        try
        {
            return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            return 0;
        }
    }

    private static async Task<HashSet<int>> AppliedVersionsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select version from orchestrator.schema_version", connection);
        return [.. await command.ReadColumnAsync<int>(cancellationToken)];
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static List<(int, string, string)> Load()
    {
        var assembly = typeof(Migrator).Assembly;
        var migrations = new List<(int, string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = ResourceName().Match(resource);
            if (!match.Success)
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add((int.Parse(match.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups["name"].Value, reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        if (migrations.Count == 0 || migrations.Select(m => m.Item1).Distinct().Count() != migrations.Count)
        {
            throw new InvalidOperationException("Embedded migrations are missing or two share a number");
        }

        return migrations;
    }

    [GeneratedRegex(@"\.Migrations\.(?<version>\d{4})_(?<name>[A-Za-z0-9_]+)\.sql$")]
    private static partial Regex ResourceName();
}
