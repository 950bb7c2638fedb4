using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace BatchOrchestrator.Core.Tests.Sources;

/// <summary>What an edit of the configuration changes for a running process (docs/configuration.md, "Editing the configuration of a running service").</summary>
public sealed class ConfigurationEditsFacts
{
    private readonly MemoryConfigurationProvider file;
    private readonly ConfigurationEdits edits;

    public ConfigurationEditsFacts()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Sources:0:Name"] = "docs",
                ["Sources:0:Path"] = "/data/docs",
                ["Sources:1:Name"] = "scans",
                ["Sources:1:Path"] = "/data/scans",
                ["Sources:1:JobType"] = "v1_parse",
                ["Sources:1:V1ParseTier"] = "fast",
                ["Costs:Caps:0:Window"] = "Day",
            })
            .Build();
        file = (MemoryConfigurationProvider)((IConfigurationRoot)configuration).Providers.Single();
        edits = new ConfigurationEdits(configuration);
    }

    [Fact]
    public void AnEditThatKeepsWhatFilesAreSentUnder_LetsTheSourceRun_AndIsStillSaid()
    {
        file.Set("Sources:0:Path", "/mnt/docs");
        file.Set("Sources:0:Schedule", "0 3 * * *");
        file.Set("Costs:Caps:0:Window", "Month");

        Assert.Null(edits.WhyNotRun("docs"));
        Assert.Equal("sources changed: docs; other sections changed: Costs", edits.Changes().ToString());
    }

    [Fact]
    public void ATierOrConfigurationIdChanged_KeepsTheSourceFromRunning()
    {
        file.Set("Sources:1:V1ParseTier", "agentic");
        file.Set("Sources:0:ConfigurationId", "cfg-PARSE_AGENTIC"); // the default, written out: nothing sent differs

        Assert.Equal("its processing settings were changed from 'v1_parse fast' to 'v1_parse agentic'", edits.WhyNotRun("scans"));
        Assert.Null(edits.WhyNotRun("docs"));
    }

    [Fact]
    public void SourcesSwappedInTheList_AreNotChanged_WhileOneRenamedIsAddedAndRemoved()
    {
        file.Set("Sources:0:Name", "scans");
        file.Set("Sources:0:Path", "/data/scans");
        file.Set("Sources:0:JobType", "v1_parse");
        file.Set("Sources:0:V1ParseTier", "fast");
        file.Set("Sources:1:Name", "invoices");
        file.Set("Sources:1:Path", "/data/docs");
        file.Set("Sources:1:JobType", null);
        file.Set("Sources:1:V1ParseTier", null);

        Assert.Equal("sources added: invoices; sources removed: docs", edits.Changes().ToString());
        Assert.Null(edits.WhyNotRun("scans"));
        Assert.StartsWith("the configuration has no source named 'docs' any more", edits.WhyNotRun("docs"), StringComparison.Ordinal);
        Assert.Null(edits.WhyNotRun("invoices")); // not this process's to judge: it never ran it
    }
}
