namespace BatchOrchestrator.Core.Tests.FollowUp;

/// <summary>Each source's results in a folder of its own, or start-up refuses, naming the keys (docs/pipeline.md, "Follow-up sinks").</summary>
public sealed class ResultsFolderFacts : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("bo-results-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void TwoSourcesWritingTheirResultsToOneFolder_AreRefused_NamingBothKeys()
    {
        // Both have a report.pdf at the top: one report.pdf.md would hold the last one delivered, both recorded as delivered.
        var shared = Path.Combine(folder, "results");
        var settings = Sources(("invoices", shared + "/"), ("contracts", shared));

        Assert.Equal(
            [$"Sources:1:OutputPath: source contracts's results would be written to '{shared}', where source invoices's are ('{shared}', Sources:0:OutputPath): " +
             "a file of one would overwrite the other's result of the same name; give each source a folder of its own"],
            StartupChecks.Failures(settings));
    }

    [Fact]
    public void ASourcesResultsFolder_AroundAnothers_IsRefused_AndSiblingFoldersAreNot()
    {
        // invoices mirrors into <out>/invoices by default; contracts into <out> itself, where its own invoices/ folder would land.
        var output = Path.Combine(folder, "out");
        var settings = Sources(("invoices", null), ("contracts", output), ("letters", null));
        settings["FollowUp:OutputPath"] = output;

        Assert.Equal(
            [$"Sources:1:OutputPath: source contracts's results would be written to '{output}', around the folder where source invoices's are ('{Path.Combine(output, "invoices")}', FollowUp:OutputPath): " +
             "a file of one would overwrite the other's result of the same name; give each source a folder of its own",
             $"FollowUp:OutputPath: source letters's results would be written to '{Path.Combine(output, "letters")}', inside the folder where source contracts's are ('{output}', Sources:1:OutputPath): " +
             "a file of one would overwrite the other's result of the same name; give each source a folder of its own"],
            StartupChecks.Failures(settings));
        Assert.Empty(StartupChecks.Failures(Sources(("invoices", null), ("letters", null), ("contracts", Path.Combine(folder, "contracts-results")))));
    }

    private Dictionary<string, string?> Sources(params (string Name, string? OutputPath)[] sources)
    {
        var settings = new Dictionary<string, string?> { ["FollowUp:OutputPath"] = Path.Combine(folder, "default-output") };
        for (var i = 0; i < sources.Length; i++)
        {
            var path = Path.Combine(folder, "in", sources[i].Name);
            Directory.CreateDirectory(path);
            settings[$"Sources:{i}:Name"] = sources[i].Name;
            settings[$"Sources:{i}:Path"] = path;
            settings[$"Sources:{i}:OutputPath"] = sources[i].OutputPath;
        }

        return settings;
    }
}
