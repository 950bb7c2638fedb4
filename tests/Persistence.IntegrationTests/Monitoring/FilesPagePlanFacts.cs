using System.Text.Json;

namespace BatchOrchestrator.Persistence.IntegrationTests.Monitoring;

/// <summary>
/// The Files page at scale (docs/performance.md, "The operator's pages at scale"): on a table large enough for the
/// planner to choose freely, a batch's search starts from the batch instead of testing every file version against it,
/// and every search finds exactly what sorting the whole union of versions and copies finds.
/// </summary>
public sealed class FilesPagePlanFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    private const int Versions = 60_000;
    private const int Page = 201;

    // The search as it was written before the index: every matching version and copy, sorted, then cut to the page.
    private const string SortEverything = """
        select id, source_name, relative_path, copy_id, updated_at from (
            select fv.id, fv.source_name, fv.relative_path, null::bigint as copy_id, fv.updated_at
            from orchestrator.file_version fv
            where ($1::text is null or fv.relative_path ilike '%' || $1 || '%')
              and ($2::text is null or fv.source_name = $2)
              and ($3::bigint is null or fv.batch_id = $3
                   or exists (select 1 from orchestrator.batch_result br where br.batch_id = $3 and br.file_version_id = fv.id))
              and ($5::text is null or fv.state = $5)
            union all
            select fv.id, k.source_name, k.relative_path, k.id, greatest(fv.updated_at, k.updated_at)
            from orchestrator.file_copy k join orchestrator.file_version fv on fv.id = k.file_version_id
            where ($1::text is null or k.relative_path ilike '%' || $1 || '%')
              and ($2::text is null or k.source_name = $2)
              and ($3::bigint is null or fv.batch_id = $3)
              and ($5::text is null or fv.state = $5)) f
        order by updated_at desc, id desc
        limit $4
        """;

    public static TheoryData<string?, long?, string?> Searches => new()
    {
        { null, null, null },
        { "docs", null, null },
        { null, null, "Failed" },
        { "other", null, "Failed" },
        { null, 7L, null },
        { null, 8L, "Succeeded" },
        { "docs", 7L, null },
    };

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        // 50 batches of 1,200 versions over two sources, changed in an order unlike their ids; every third reported on
        // by its batch and every seventh by the batch before as well (an earlier attempt); every hundredth has a copy, half of
        // them changed after every version.
        await Database.ExecuteAsync($"""
            insert into orchestrator.run (id, source_name, trigger, state) overriding system value values (1, 'docs', 'Manual', 'Completed');
            insert into orchestrator.batch (id, run_id, source_name, state, job_type, configuration_id, directory_name, file_count) overriding system value
            select b, 1, 'docs', 'ResultsRecorded', 'parse_v2', 'cfg', 'dir-' || b, 1200 from generate_series(1, 50) b;
            insert into orchestrator.file_version (id, source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state, run_id, batch_id, error_class, updated_at) overriding system value
            select i, case when i % 2 = 0 then 'docs' else 'other' end, 'd' || (i / 1000) || '/f' || i || '.pdf', 1, i, sha256(int8send(i)), 'k' || i,
                   case when i % 10 = 0 then 'Failed' else 'Succeeded' end, 1, (i - 1) / 1200 + 1, case when i % 10 = 0 then 'Permanent' end,
                   timestamptz '2026-01-01' + make_interval(secs => (i * 7919) % {Versions})
            from generate_series(1, {Versions}) i;
            insert into orchestrator.batch_result (batch_id, file_version_id, source_directory_file_id, job_id, follow_up_state, outcome)
            select (i - 1) / 1200 + 1, i, 'sdf-' || i, 'job-' || i, 'FollowedUp', 'Succeeded' from generate_series(3, {Versions}, 3) i
            union all
            select (i - 1) / 1200, i, 'early-' || i, null, null, 'Failed' from generate_series(7, {Versions}, 7) i where i > 1200;
            insert into orchestrator.file_copy (source_name, relative_path, file_version_id, updated_at)
            select 'docs', 'copies/c' || i || '.pdf', i,
                   case when i % 200 = 5 then timestamptz '2027-01-01' + make_interval(secs => i) else timestamptz '2025-01-01' end
            from generate_series(5, {Versions}, 100) i;
            analyze orchestrator.file_version;
            analyze orchestrator.file_copy;
            analyze orchestrator.batch_result;
            analyze orchestrator.batch;
            """);
    }

    /// <summary>A batch's searches: the others read the versions whole, as no index names updated_at (the HOT path's price).</summary>
    public static TheoryData<string?, long?, string?> BatchSearches => new()
    {
        { null, 7L, null },
        { null, 8L, "Succeeded" },
    };

    [Theory]
    [MemberData(nameof(BatchSearches))]
    public async Task FindFilesOfABatch_StartsFromTheBatch_NeverReadingEveryFileVersionOrCopy(string? source, long? batch, string? state)
    {
        var plan = await ExplainAsync(source, batch, state);

        var readWhole = SeqScans(plan.RootElement).ToList();
        Assert.DoesNotContain("file_version", readWhole);
        Assert.DoesNotContain("batch_result", readWhole);
        Assert.DoesNotContain("file_copy", readWhole);
    }

    [Theory]
    [MemberData(nameof(BatchSearches))]
    public async Task FindFilesOfABatch_UnderTheOnePlanPostgreSqlMayKeepForEveryBatch_StillStartsFromTheBatch(string? source, long? batch, string? state)
    {
        // Kept prepared, the query may run under one plan made for no batch in particular after its fifth run.
        await using var connection = await Database.DataSource.OpenConnectionAsync(Ct);
        await using (var setUp = new NpgsqlCommand("set plan_cache_mode = force_generic_plan; prepare page(text, text, bigint, int, text, text, text) as " + OpsQueries.FindFilesSql(batch), connection))
        {
            await setUp.ExecuteNonQueryAsync(Ct);
        }

        // EXECUTE takes no bind parameters: the search's own values, written out (the theory's constants).
        static string Literal(string? value) => value is null ? "null" : $"'{value}'";
        await using var explain = new NpgsqlCommand($"explain (format json) execute page(null, {Literal(source)}, {batch}, {Page}, {Literal(state)}, 'FollowedUp', 'Recorded')", connection);
        using var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync(Ct))!);

        var readWhole = SeqScans(plan.RootElement).ToList();
        Assert.DoesNotContain("file_version", readWhole);
        Assert.DoesNotContain("batch_result", readWhole);
        Assert.DoesNotContain("file_copy", readWhole);
    }

    [Theory]
    [MemberData(nameof(Searches))]
    public Task FindFiles_FindsWhatSortingEveryVersionAndCopyFinds(string? source, long? batch, string? state) => SameRowsAsync(null, source, batch, state);

    [Theory]
    [InlineData("f1")]
    [InlineData("copies/c5")]
    [InlineData("d7/")]
    public Task FindFilesByAPartOfThePath_FindsWhatSortingEveryVersionAndCopyFinds(string part) => SameRowsAsync(part, null, null, null);

    [Fact]
    public async Task FindFilesOfABatch_StaysPreparedOnItsConnection_AndFindsTheSameRowsAgain()
    {
        // One connection in the pool, so the page and the look at what it prepared meet on the same server session.
        await using var oneConnection = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(Database.ConnectionString) { MaxPoolSize = 1 }.ConnectionString);
        var queries = new OpsQueries(oneConnection);

        var first = await queries.FindFilesAsync(null, null, 7, Page, Ct);
        var again = await queries.FindFilesAsync(null, null, 7, Page, Ct);
        var everyFile = await queries.FindFilesAsync(null, null, null, Page, Ct);

        await using var command = oneConnection.CreateCommand("select statement, generic_plans + custom_plans from pg_prepared_statements where not from_sql");
        var prepared = new List<(string Sql, long Runs)>();
        await using (var reader = await command.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                prepared.Add((reader.GetString(0), reader.GetInt64(1)));
            }
        }

        Assert.Equal(2L, prepared.Single(p => p.Sql == OpsQueries.FindFilesSql(7)).Runs); // prepared once, run twice
        Assert.DoesNotContain(prepared, p => p.Sql == OpsQueries.FindFilesSql(null)); // the search of every file is planned for its own filters each time
        Assert.Equal(first.Rows.Select(r => r[0]), again.Rows.Select(r => r[0]));
        Assert.Equal(Page, first.Rows.Count);
        Assert.NotEqual(first.Rows.Select(r => r[0]), everyFile.Rows.Select(r => r[0]));
    }

    private async Task SameRowsAsync(string? part, string? source, long? batch, string? state)
    {
        var table = await new OpsQueries(Database.DataSource).FindFilesAsync(part, source, batch, Page, Ct, state);
        var expected = await Database.ListAsync(
            SortEverything, r => (r.GetInt64(0), r.GetString(2)), (object?)part ?? DBNull.Value, (object?)source ?? DBNull.Value, (object?)batch ?? DBNull.Value, Page, (object?)state ?? DBNull.Value);

        if (part is null && batch is null && state is null)
        {
            // copies changed after every version lead the page: the copies' arm is what is compared
            Assert.Contains(expected, e => e.Item2.StartsWith("copies/", StringComparison.Ordinal));
        }

        var found = table.Rows.Select(r => ((long)table.Value(r, "File")!, (string)table.Value(r, "Path")!)).ToList();
        // A copy whose version changed last ties with it (both rank by the version's change and id): either comes first.
        Assert.Equal(expected.Select(e => e.Item1), found.Select(f => f.Item1));
        Assert.Equal(expected.Order(), found.Order());
    }

    private async Task<JsonDocument> ExplainAsync(string? source, long? batch, string? state)
    {
        await using var command = Database.DataSource.CreateCommand("explain (format json) " + OpsQueries.FindFilesSql(batch));
        command.Parameters.AddRange(OpsQueries.FindFilesParameters(null, source, batch, Page, state));
        return JsonDocument.Parse((string)(await command.ExecuteScalarAsync(Ct))!);
    }

    /// <summary>The tables the plan reads whole, wherever in it.</summary>
    private static IEnumerable<string> SeqScans(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            return element.EnumerateArray().SelectMany(SeqScans);
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        var here = element.TryGetProperty("Node Type", out var type) && type.GetString() == "Seq Scan"
            ? [element.GetProperty("Relation Name").GetString()!]
            : Array.Empty<string>();
        return here.Concat(element.EnumerateObject().SelectMany(p => SeqScans(p.Value)));
    }
}
