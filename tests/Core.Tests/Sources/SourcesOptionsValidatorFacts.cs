namespace BatchOrchestrator.Core.Tests.Sources;

public sealed class SourcesOptionsValidatorFacts : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("bo-validator-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Validate_Succeeds_ForAWellFormedSource()
    {
        var result = new SourcesOptionsValidator().Validate(null, new SourcesOptions { Sources = [new SourceOptions { Name = "invoices", Path = folder }] });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_ListsEveryProblem_EachNamingItsKey()
    {
        var options = new SourcesOptions
        {
            Sources =
            [
                new SourceOptions { Name = "ok", Path = folder },
                new SourceOptions
                {
                    Name = "OK", Path = Path.Combine(folder, "missing"), JobType = "classify", ConfigurationId = "agentic",
                    Schedule = "every night", TimeZone = "Mars/Olympus", Include = ["../outside"], Queue = "Node A",
                    SettleWindow = TimeSpan.FromDays(2),
                },
            ],
        };

        var failures = new SourcesOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Contains(failures, f => f.StartsWith("Sources:1:Name: 'OK' is used by another source", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Sources:1:Path: directory", StringComparison.Ordinal) && f.Contains("does not exist", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Sources:1:JobType:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Sources:1:ConfigurationId:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Sources:1:Schedule:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Sources:1:TimeZone:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Sources:1:Include:0:", StringComparison.Ordinal));
        Assert.Contains("Sources:1:Queue: 'Node A' must be lowercase letters, digits, '_' and '-' (Hangfire's rule for queue names)", failures);
        Assert.Contains("Sources:1:SettleWindow: 2.00:00:00 must be from 00:00:00 to a day", failures);
        Assert.Equal(9, failures.Count);
    }

    [Fact]
    public void Validate_LooksForTheFolder_OnlyOnAnInstanceServingTheSourcesQueue()
    {
        var options = new SourcesOptions { Sources = [new SourceOptions { Name = "local-disk", Path = Path.Combine(folder, "elsewhere"), Queue = "node-a" }] };

        var here = new SourcesOptionsValidator(new ServedQueues(["node-a", "default"])).Validate(null, options);
        var another = new SourcesOptionsValidator(new ServedQueues([])).Validate(null, options);

        Assert.Contains(here.Failures!, f => f.StartsWith("Sources:0:Path: directory", StringComparison.Ordinal));
        Assert.True(another.Succeeded, another.FailureMessage);
    }

    [Fact]
    public void Validate_NamesTheKeys_OfABadLayout()
    {
        var options = new SourcesOptions
        {
            Sources =
            [
                new SourceOptions { Name = "remote", Layout = RemoteLayout.RemoteOnly, Path = folder, RemoteDirectoryId = "not-a-dir" },
                new SourceOptions { Name = "local", Path = folder, RemoteDirectoryId = "dir-123", MaxFileBytes = 0 },
                new SourceOptions { Name = "fine", Layout = RemoteLayout.RemoteOnly, RemoteDirectoryId = "dir-123" },
            ],
        };

        var failures = new SourcesOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(
            [
                "Sources:0:RemoteDirectoryId: 'not-a-dir' must be an existing remote directory id (dir-…) when Layout is RemoteOnly",
                "Sources:0:Path: must be empty when Layout is RemoteOnly (the files are already remote)",
                "Sources:1:RemoteDirectoryId: is only for Layout RemoteOnly (PerRun manages its own directories)",
                "Sources:1:MaxFileBytes: 0 must be positive (or empty for the API's limit)",
            ],
            failures);
    }

    [Theory]
    [InlineData("v1_parse", "agentic_plus", null)]
    [InlineData("parse_v2", "", null)] // set to nothing (an empty environment variable): none
    [InlineData("v1_parse", "premium", "Sources:0:V1ParseTier: 'premium' must be one of fast, cost_effective, agentic, agentic_plus (or empty for the service's default)")]
    [InlineData("parse_v2", "fast", "Sources:0:V1ParseTier: is only for v1_parse, not parse_v2")]
    [InlineData("v1_classify", "fast", "Sources:0:V1ParseTier: is only for v1_parse, not v1_classify")]
    public void V1ParseTier_IsOneOfTheParseTiers_OnAV1ParseSourceOnly(string jobType, string tier, string? failure)
    {
        var source = new SourceOptions { Name = "docs", Path = folder, JobType = jobType, V1ParseTier = tier };
        if (jobType == "v1_classify")
        {
            source.ClassifyRules = [new ClassifyRuleOptions { Type = "invoice", Description = "A bill" }];
        }

        var result = new SourcesOptionsValidator().Validate(null, new SourcesOptions { Sources = [source] });

        Assert.Equal(failure is null ? [] : [failure], result.Failures ?? []);
    }

    [Theory]
    [InlineData("v1_classify", null)]
    [InlineData("parse_v2", "Sources:0:ClassifyRules: are only for v1_classify, not parse_v2")]
    [InlineData("v1_parse", "Sources:0:ClassifyRules: are only for v1_classify, not v1_parse")]
    public void ClassifyRules_AreRefused_OnASourceThatDoesNotClassify(string jobType, string? failure)
    {
        var source = new SourceOptions { Name = "docs", Path = folder, JobType = jobType, ClassifyRules = [new ClassifyRuleOptions { Type = "invoice", Description = "A bill" }] };

        var result = new SourcesOptionsValidator().Validate(null, new SourcesOptions { Sources = [source] });

        Assert.Equal(failure is null ? [] : [failure], result.Failures ?? []);
    }

    [Theory]
    [InlineData(".config/**/*.json", false, "Sources:0:Include:1: '.config/**/*.json' names hidden files or folders (a name starting with '.'), which are never taken while Sources:0:IncludeHidden is false; set it to true to take them")]
    [InlineData("**/.*", false, "Sources:0:Include:1: '**/.*' names hidden files or folders (a name starting with '.'), which are never taken while Sources:0:IncludeHidden is false; set it to true to take them")]
    [InlineData(".config/**/*.json", true, null)]
    [InlineData("?git/**", false, "Sources:0:Include:1: '?git/**' uses '?', which is not a wildcard here: only '*' (any part of a name) and '**' (any folders) are; write one pattern per name instead")]
    [InlineData("./reports/*.pdf", false, null)]
    public void AnIncludeNamingHiddenNames_IsRefused_UnlessTheSourceTakesThem(string include, bool includeHidden, string? failure)
    {
        var source = new SourceOptions { Name = "docs", Path = folder, Include = ["**/*.pdf", include], IncludeHidden = includeHidden };

        var result = new SourcesOptionsValidator().Validate(null, new SourcesOptions { Sources = [source] });

        Assert.Equal(failure is null ? [] : [failure], result.Failures ?? []);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void APathThatIsAFile_IsRefusedNamingTheKey_AlsoWhenStartUpWouldCreateTheFolder(bool createIfMissing)
    {
        var file = Path.Combine(folder, "passwd");
        File.WriteAllText(file, "root:x:0:0");

        var failures = StartupChecks.Failures(new Dictionary<string, string?>
        {
            ["Sources:0:Name"] = "inbox",
            ["Sources:0:Path"] = file,
            ["Sources:0:CreateIfMissing"] = createIfMissing ? "true" : "false",
        });

        Assert.Equal([$"Sources:0:Path: '{file}' is a file, not a folder"], failures);
    }

    [Fact]
    public void AFolderThatCannotBeCreated_IsRefusedNamingTheKey()
    {
        var file = Path.Combine(folder, "in-the-way");
        File.WriteAllText(file, "");
        var below = Path.Combine(file, "inbox");

        var failures = StartupChecks.Failures(new Dictionary<string, string?>
        {
            ["Sources:0:Name"] = "inbox",
            ["Sources:0:Path"] = below,
            ["Sources:0:CreateIfMissing"] = "true",
        });

        Assert.Equal([$"Sources:0:Path: directory '{below}' does not exist, and CreateIfMissing could not create it"], failures);
    }

    [Fact]
    public void AFolderTheServiceCouldNotCreate_IsSaidByTheCheck_WhichCreatesNothing()
    {
        // config check creates nothing, yet the service would fail to create this one at its start: said now.
        var file = Path.Combine(folder, "in-the-way");
        File.WriteAllText(file, "");
        var below = Path.Combine(file, "deeper", "inbox");

        var failures = StartupChecks.Failures(
            new Dictionary<string, string?> { ["Sources:0:Name"] = "inbox", ["Sources:0:Path"] = below, ["Sources:0:CreateIfMissing"] = "true" },
            SourceFolderAccess.Check);

        Assert.Equal([$"Sources:0:Path: directory '{below}' does not exist, and CreateIfMissing could not create it: '{file}' is a file"], failures);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void AFolderInAParentThisUserMayNotWrite_IsSaidByTheCheck()
    {
        Assert.SkipWhen(Environment.UserName == "root", "root may write anywhere access(2) is asked about, so only another user can see this refusal");
        var locked = Path.Combine(folder, "locked");
        Directory.CreateDirectory(locked);
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            var failures = StartupChecks.Failures(
                new Dictionary<string, string?> { ["Sources:0:Name"] = "inbox", ["Sources:0:Path"] = Path.Combine(locked, "inbox"), ["Sources:0:CreateIfMissing"] = "true" },
                SourceFolderAccess.Check);

            Assert.StartsWith($"Sources:0:Path: directory '{Path.Combine(locked, "inbox")}' does not exist, and CreateIfMissing could not create it: this user may not create folders in '{locked}'", Assert.Single(failures), StringComparison.Ordinal);
        }
        finally
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void AMissingFolder_StopsOnlyWhatReadsTheFolders_AndIsCreatedOnlyByThose()
    {
        var missing = Path.Combine(folder, "unmounted");
        Dictionary<string, string?> Settings(bool create) => new()
        {
            ["Sources:0:Name"] = "inbox",
            ["Sources:0:Path"] = missing,
            ["Sources:0:CreateIfMissing"] = create ? "true" : "false",
        };

        Assert.Equal([$"Sources:0:Path: directory '{missing}' does not exist"], StartupChecks.Failures(Settings(create: false), SourceFolderAccess.Check));
        Assert.Empty(StartupChecks.Failures(Settings(create: false), SourceFolderAccess.None));
        Assert.Empty(StartupChecks.Failures(Settings(create: true), SourceFolderAccess.Check)); // the service would create it
        Assert.Empty(StartupChecks.Failures(Settings(create: true), SourceFolderAccess.None));
        Assert.False(Directory.Exists(missing));

        Assert.Empty(StartupChecks.Failures(Settings(create: true))); // the service's own default: read, so create
        Assert.True(Directory.Exists(missing));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("results/**", null)] // the results' folder left out of the scan
    [InlineData(null, "**/*.pdf")] // the scan takes PDFs only, never a result's .md or .json
    public void ResultsWrittenWhereASourceScansThem_AreRefused_UnlessItsGlobsLeaveThemOut(string? exclude, string? include)
    {
        // Each scan would take the last one's results as new files: sent, billed, and their results written there too.
        var results = Path.Combine(folder, "results");
        var settings = new Dictionary<string, string?>
        {
            ["Sources:0:Name"] = "docs",
            ["Sources:0:Path"] = folder,
            ["FollowUp:OutputPath"] = results,
        };
        if (exclude is not null)
        {
            settings["Sources:0:Exclude:0"] = exclude;
        }

        if (include is not null)
        {
            settings["Sources:0:Include:0"] = include;
        }

        var failures = StartupChecks.Failures(settings);

        Assert.Equal(
            exclude is null && include is null
                ? [$"FollowUp:OutputPath: source docs's results would be written to '{Path.Combine(results, "docs")}', inside Sources:0:Path '{folder}', which scans them as new files (sent and billed, their results written there in turn); write them outside it, or exclude that folder with Sources:0:Exclude"]
                : [],
            failures);
    }

    [Fact]
    public void ASourcesOwnOutputPath_InsideAnotherSourcesFolder_IsRefusedNamingBothKeys()
    {
        var other = Path.Combine(folder, "other");
        Directory.CreateDirectory(other);
        var settings = new Dictionary<string, string?>
        {
            ["Sources:0:Name"] = "docs",
            ["Sources:0:Path"] = Path.Combine(folder, "docs"),
            ["Sources:0:CreateIfMissing"] = "true",
            ["Sources:0:OutputPath"] = Path.Combine(other, "docs-results"),
            ["Sources:1:Name"] = "other",
            ["Sources:1:Path"] = other,
            ["FollowUp:OutputPath"] = Path.Combine(folder, "out"),
        };

        var failure = Assert.Single(StartupChecks.Failures(settings));

        Assert.StartsWith($"Sources:0:OutputPath: source docs's results would be written to '{Path.Combine(other, "docs-results")}', inside Sources:1:Path '{other}'", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void SourcesScanningTheSameOrNestedFolders_AreNamedAsAPair_NotRefused()
    {
        var inner = Path.Combine(folder, "sub");
        SourceOptions[] sources =
        [
            new() { Name = "a", Path = folder },
            new() { Name = "b", Path = inner + "/" },
            new() { Name = "c", Path = Path.Combine(Path.GetTempPath(), "elsewhere") },
            new() { Name = "d", Path = folder + "-sibling" },
        ];

        Assert.Equal(
            [$"Sources:0 (a) and Sources:1 (b) both scan '{inner}': a file both take is sent, and billed, once for each source, unless their Include/Exclude keep them apart"],
            SourceNotices.SharedFiles(sources));
    }
}
