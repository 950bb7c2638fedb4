using BatchOrchestrator.Core.Validation;
using BatchOrchestrator.Core.Sources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace BatchOrchestrator.Core.Tests;

/// <summary>Core's options as start-up (and <c>config check</c>) sees them: bound and checked through AddBatchCore.</summary>
internal static class StartupChecks
{
    /// <summary>The keys of <paramref name="settings"/> that no options type of Core reads, as <c>config check</c> lists them.</summary>
    public static IReadOnlyList<(string Path, string? Meant)> Unknown(IDictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddBatchCore();
        using var services = builder.Services.BuildServiceProvider();
        return UnknownSettings.Find(services);
    }

    /// <summary>Every failure start-up would report for <paramref name="settings"/>; empty when it would start.</summary>
    public static IReadOnlyList<string> Failures(IDictionary<string, string?> settings, SourceFolderAccess? folders = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        if (folders is not null)
        {
            builder.Services.AddSingleton(folders); // as a verb's host says it, before Core's default
        }

        builder.AddBatchCore();
        using var services = builder.Services.BuildServiceProvider();
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
            return [];
        }
        catch (OptionsValidationException invalid)
        {
            return [.. ConvertibleValues.WithoutWhatWrongTypesCause(invalid.Failures)]; // as start-up and config check list them
        }
        catch (AggregateException many)
        {
            return [.. ConvertibleValues.WithoutWhatWrongTypesCause(many.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures))];
        }
    }
}
