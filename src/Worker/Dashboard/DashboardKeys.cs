using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>
/// Where the keys of ASP.NET Core's data protection (they sign the dashboard's antiforgery tokens) are kept: in the
/// service's own database, as a library's <c>PersistKeysToDbContext</c> would, rather than in the home folder of the
/// user the service runs as. There a container without a kept home made new keys at each start (a dashboard page
/// opened before a restart could then no longer act) and each instance on one database had keys of its own
/// (docs/operations.md, "Dashboard keys").
/// </summary>
internal static class DashboardKeys
{
    /// <summary>One name for every instance and install folder: the default, the content root, would set them apart.</summary>
    public const string ApplicationName = "BatchOrchestrator";

    public static void Add(IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(options =>
        {
            options.XmlRepository = new NpgsqlKeyRepository(sp.GetRequiredService<NpgsqlDataSource>());
            // Stored as written, said so: the database already holds everything these keys could reach (an operator's
            // actions are its writes), and is guarded by its own credentials. The default on Linux does the same in a
            // file, with a Warning at each new key that an operator can do nothing about.
            options.XmlEncryptor = new NullXmlEncryptor();
        }));
    }

    /// <summary>The key ring's XML elements, one row per key, never changed once stored (the key manager only adds).</summary>
    private sealed class NpgsqlKeyRepository(NpgsqlDataSource database) : IXmlRepository
    {
        public IReadOnlyCollection<XElement> GetAllElements()
        {
            // Synchronous by the interface; called when the key ring is (re)loaded, about once a day, not per request.
            using var command = database.CreateCommand("select xml from orchestrator.data_protection_key order by stored_at, friendly_name");
            using var reader = command.ExecuteReader();
            var elements = new List<XElement>();
            while (reader.Read())
            {
                elements.Add(XElement.Parse(reader.GetString(0)));
            }

            return elements;
        }

        public void StoreElement(XElement element, string friendlyName)
        {
            using var command = database.CreateCommand(
                "insert into orchestrator.data_protection_key (friendly_name, xml) values ($1, $2) on conflict (friendly_name) do nothing");
            command.Parameters.Add(new NpgsqlParameter { Value = friendlyName });
            command.Parameters.Add(new NpgsqlParameter { Value = element.ToString(SaveOptions.DisableFormatting) });
            command.ExecuteNonQuery();
        }
    }
}
