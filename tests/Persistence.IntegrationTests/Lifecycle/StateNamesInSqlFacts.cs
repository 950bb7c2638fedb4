using System.Text.RegularExpressions;
using BatchOrchestrator.Core.Retries;

namespace BatchOrchestrator.Persistence.IntegrationTests.Lifecycle;

/// <summary>
/// State names in Persistence's SQL come from Core's lifecycles. The stores' C# SQL names none (Core's
/// transitions are bound as parameters); the migrations may name them where a parameter is impossible
/// (partial-index predicates), and every name they use must still be a member of a Core enum stored by
/// name, so renaming a member without a migration fails here.
/// </summary>
public sealed partial class StateNamesInSqlFacts
{
    // Capitalised words that may appear quoted in Persistence's SQL without being a stored enum name,
    // each with its reason. A state name never belongs here: bind it as a parameter instead.
    private static readonly string[] NotStoredNames =
    [
        // LlamaCloud's own job statuses as the follow-up stores them in batch_result.remote_job_status (Core's
        // JobResults): a migration that settles by a job's ending names them, since it may not call Core.
        "FAILED", "CANCELLED", "COMPLETED",
    ];

    private static readonly HashSet<string> LifecycleStates =
    [
        .. Enum.GetNames<BatchState>(), .. Enum.GetNames<FileVersionState>(), .. Enum.GetNames<RunState>(), .. Enum.GetNames<FollowUpState>(),
    ];

    // The other enums stored by name: run.trigger, batch.layout, error_class, source_file_problem.kind.
    private static readonly HashSet<string> StoredNames =
    [
        .. LifecycleStates, .. Enum.GetNames<RunTrigger>(), .. Enum.GetNames<RemoteLayout>(), .. Enum.GetNames<FailureClass>(), .. Enum.GetNames<ScanProblemKind>(),
    ];

    [Fact]
    public void TheStoresSql_NamesNoStateOrOtherCapitalisedWord_ButTakesThemAsParameters()
    {
        var named = QuotedWords("*.cs", stripSqlComments: false).Where(w => !NotStoredNames.Contains(w.Word)).ToList();

        Assert.True(named.Count == 0, "Persistence's C# names these in SQL; bind Core's lifecycle states as parameters instead:\n" + string.Join("\n", named));
    }

    [Fact]
    public void EveryNameTheMigrationsQuote_IsAMemberOfACoreEnumStoredByName()
    {
        var quoted = QuotedWords("*.sql", stripSqlComments: true);
        var unknown = quoted.Where(w => !StoredNames.Contains(w.Word) && !NotStoredNames.Contains(w.Word)).ToList();

        // The check reads what it should: the partial indexes name the polled batch states.
        Assert.Contains(quoted, w => w.Word == nameof(BatchState.Throttled) && w.File.EndsWith("0001_initial.sql", StringComparison.Ordinal));
        Assert.True(unknown.Count == 0, "Migrations name what no Core enum has:\n" + string.Join("\n", unknown));
    }

    [Fact]
    public void TheCheck_FindsAStateNamedInAStatement()
    {
        var found = QuotedWordPattern().Matches("update orchestrator.batch set state = 'Completed' where state in ('Runing', 'x')").Select(m => m.Groups[1].Value);

        Assert.Equal(["Completed", "Runing"], found);
        Assert.DoesNotContain("Runing", StoredNames);
    }

    private static List<(string File, string Word)> QuotedWords(string pattern, bool stripSqlComments)
    {
        var files = Directory.EnumerateFiles(Repository.PathOf("src/Persistence"), pattern, SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(files);
        return
        [
            .. from file in files
               let text = stripSqlComments ? SqlComment().Replace(File.ReadAllText(file), "") : File.ReadAllText(file)
               from Match match in QuotedWordPattern().Matches(text)
               select (Path.GetRelativePath(Repository.Root, file), match.Groups[1].Value),
        ];
    }

    // A quoted capitalised word: how a state, class or layout name would appear in SQL. (A C# char literal has one letter.)
    [GeneratedRegex("'([A-Z][A-Za-z]+)'")]
    private static partial Regex QuotedWordPattern();

    [GeneratedRegex("--[^\n]*")]
    private static partial Regex SqlComment();
}
