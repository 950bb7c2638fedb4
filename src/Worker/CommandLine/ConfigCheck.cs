using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Core.Validation;
using BatchOrchestrator.Persistence;
using BatchOrchestrator.Persistence.Embedded;
using BatchOrchestrator.Worker.Sandbox;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>
/// <c>config check</c>: runs every options validator the service runs at start-up, plus the check
/// that only start-up itself would find (missing PostgreSQL binaries), and lists every problem on stderr
/// (exit code 1); with none, says so on stdout. Starts nothing and connects to nothing.
/// </summary>
internal static class ConfigCheck
{
    public static int Run(IServiceProvider services, VerbConsole console)
    {
        var problems = new List<string>();
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (OptionsValidationException ex)
        {
            problems.AddRange(ex.Failures);
        }
        catch (AggregateException ex)
        {
            problems.AddRange(ex.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures));
            problems.AddRange(ex.InnerExceptions.Where(e => e is not OptionsValidationException).Select(e => e.Message));
        }

        // The connection string is the Database section's validator's; the binaries are only found on disk, unless
        // the section is invalid (listed above already).
        var database = services.GetRequiredService<IOptions<DatabaseOptions>>().ValueIfValid();
        if (database is { UsesEmbedded: true })
        {
            try
            {
                PostgresBinaries.Locate(database.Embedded.BinDirectory);
            }
            catch (InvalidOperationException ex)
            {
                problems.Add(ex.Message);
            }

            // Start-up creates the data folder (and its password file): said now whether it could, creating nothing.
            var data = Path.GetFullPath(database.Embedded.DataDirectory, services.GetRequiredService<IHostEnvironment>().ContentRootPath);
            if (File.Exists(data))
            {
                problems.Add($"Database:Embedded:DataDirectory: '{data}' is a file, not a folder");
            }
            else if (!Directory.Exists(data) && FolderCreation.WhyNot(data) is { } whyNot)
            {
                problems.Add($"Database:Embedded:DataDirectory: '{data}' does not exist and cannot be created ({whyNot})");
            }
        }

        // Problems on stderr, as every verb's failures are (VerbConsole): a script or CI job that keeps stdout, or
        // pipes it on, still shows why the service would not start; the exit code says that it would not.
        problems = [.. Hosting.StartupFailure.Distinct(problems)];
        foreach (var problem in problems)
        {
            console.Error.WriteLine($"  ✗ {problem}");
        }

        // Not a problem the service stops for (another reader of the environment may own the key), but a setting
        // misspelled is a setting left at its default: said before anything else is.
        foreach (var unknown in UnknownSettings.Find(services))
        {
            console.Out.WriteLine($"  ! {Describe(unknown)}");
        }

        if (problems.Count > 0)
        {
            console.Error.WriteLine($"{problems.Count} problem{(problems.Count == 1 ? "" : "s")} in the configuration.");
            return 1;
        }

        // What the service would use: this verb never starts the Sandbox, so the options show production without a key.
        var api = SandboxMode.Applies(services.GetRequiredService<IConfiguration>())
            ? $"the in-process Sandbox, nothing is sent to LlamaCloud (set {LlamaCloudKey.ApiKeyVariable} or LlamaCloud:ApiKeyFile to use it)"
            : services.GetRequiredService<IOptions<LlamaCloudOptions>>().Value.ToString();
        console.Out.WriteLine($"Configuration is valid. Database: {(database!.UsesEmbedded ? "embedded PostgreSQL" : "external PostgreSQL")}; API: {api}.");

        // Valid, but what start-up warns of: a service that would scan nothing (run from a folder without the
        // settings file, most often), or sources that would both send the same files.
        var sources = services.GetRequiredService<IOptions<SourcesOptions>>().Value.Sources;
        if (SourceNotices.NoSource(sources, services.GetRequiredService<IHostEnvironment>().ContentRootPath) is { } none)
        {
            console.Out.WriteLine($"  ! {none}");
        }

        foreach (var shared in SourceNotices.SharedFiles(sources))
        {
            console.Out.WriteLine($"  ! {shared}");
        }

        return 0;
    }

    /// <summary>An unknown key in the words of <c>config check</c> and of the service's start-up warning.</summary>
    public static string Describe((string Path, string? Meant) unknown) =>
        $"{unknown.Path}: not a setting, nothing reads it{(unknown.Meant is { } meant ? $" (did you mean {meant}?)" : "")}";
}
