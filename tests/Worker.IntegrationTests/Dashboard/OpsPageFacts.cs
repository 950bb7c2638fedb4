namespace BatchOrchestrator.Worker.IntegrationTests.Dashboard;

/// <summary>What our pages say of the database, read over HTTP from the real host: the time zone a schedule is read in and a chart's days are counted in, and a file's page however long its story.</summary>
public sealed class OpsPageFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    [Fact]
    public async Task TheSourcesPage_SaysInWhichTimeZoneItsScheduleIsRead()
    {
        var settings = Env.Settings();
        settings["Sources:0:Schedule"] = "0 2 * * *";
        settings["Sources:0:TimeZone"] = "Europe/Berlin";
        await using var host = await WorkerHost.StartAsync(Env.Root, settings);
        using var client = new DashboardClient(host.Address);

        var page = await client.GetPageAsync("hangfire/ops/sources");

        // Cron fields alone read as UTC, or as the reader's own zone: 02:00 in Berlin is 01:00 or 00:00 UTC.
        Assert.Contains("0 2 * * * (Europe/Berlin)", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheOverviewsCharts_SayTheirDaysAreUtcDays_BesideTheCostsPagesDaysInCostsTimeZone()
    {
        var settings = Env.Settings();
        settings["Costs:TimeZone"] = "Pacific/Auckland";
        await using var host = await WorkerHost.StartAsync(Env.Root, settings);
        using var client = new DashboardClient(host.Address);

        var overview = await client.GetPageAsync("hangfire" + DashboardLanding.OverviewPath);

        // Twelve or thirteen hours from Auckland, a UTC day is not the day the Costs page counts: the page says which it shows.
        Assert.Contains("<b>Files per day by outcome (UTC days)</b>", overview, StringComparison.Ordinal);
        Assert.Contains("<b>Run durations per day (UTC days; runs that found work)</b>", overview, StringComparison.Ordinal);
        Assert.Contains("Days begin at midnight in Pacific/Auckland", await client.GetPageAsync("hangfire/ops/costs"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFileWithThousandsOfCopies_ListsAPageOfThem_AndSaysThereAreMore()
    {
        await using var host = await WorkerHost.StartAsync(Env.Root, Env.Settings());
        var version = await Env.Database.ScalarAsync<long>("""
            with s as (insert into orchestrator.source (name) values ('e2e') on conflict do nothing),
            r as (insert into orchestrator.run (source_name, trigger, state, started_at, finished_at, new_versions)
                       values ('e2e', 'Manual', 'Completed', now(), now(), 1) returning id)
            insert into orchestrator.file_version (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state, run_id)
            select 'e2e', 'blank-form.pdf', 10, 1, sha256('blank'::bytea), 'blank', 'Succeeded', r.id from r
            returning id
            """);
        // The same blank form saved under 2,500 names: each is a copy of the one version, sent and billed once.
        await Env.Database.ExecuteAsync("""
            insert into orchestrator.file_copy (source_name, relative_path, file_version_id)
            select 'e2e', 'forms/copy-' || lpad(i::text, 5, '0') || '.pdf', $1 from generate_series(1, 2500) i
            """, version);
        using var client = new DashboardClient(host.Address);

        var page = await client.GetPageAsync($"hangfire/ops/files/{version}");

        var copies = Regex.Match(page, "<table[^>]*data-section=\"Same content under other names[^\"]*\">.*?</table>", RegexOptions.Singleline);
        Assert.True(copies.Success, "the page has its copies' table");
        Assert.Equal(200, Regex.Count(copies.Value, "<tr>") - 1); // a heading row, then a page of copies
        Assert.Contains("forms/copy-00001.pdf", copies.Value, StringComparison.Ordinal);
        Assert.DoesNotContain("forms/copy-00201.pdf", page, StringComparison.Ordinal);
        Assert.Contains("Showing the first 200 names, by path; there are more.", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFilesPage_OffersARetry_OnlyWhereTheRetryWouldSendItsFailedVersionAgain()
    {
        // report.pdf failed, then changed and its new version succeeded: a retry leaves the old failure, so its page must not
        // offer one. broken.pdf failed as it is in the folder now: its page does.
        await using var host = await WorkerHost.StartAsync(Env.Root, Env.Settings());
        var versions = await Env.Database.ListAsync("""
            with s as (insert into orchestrator.source (name) values ('e2e') on conflict do nothing),
            f as (insert into orchestrator.source_file (source_name, relative_path, size, mtime_ticks, first_seen_at)
                  values ('e2e', 'report.pdf', 10, 2, now()), ('e2e', 'broken.pdf', 10, 1, now()), ('e2e', 'corrupt.pdf', 10, 1, now()))
            insert into orchestrator.file_version (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state, error_class, error_message)
            values ('e2e', 'report.pdf', 10, 1, sha256('old'::bytea), 'old', 'Failed', 'Transient', 'the service was busy'),
                   ('e2e', 'report.pdf', 10, 2, sha256('new'::bytea), 'new', 'Succeeded', null, null),
                   ('e2e', 'broken.pdf', 10, 1, sha256('broken'::bytea), 'broken', 'Failed', 'Transient', 'the service was busy'),
                   ('e2e', 'corrupt.pdf', 10, 1, sha256('corrupt'::bytea), 'corrupt', 'Failed', 'Permanent', 'the file is corrupt')
            returning id
            """, r => r.GetInt64(0));
        using var client = new DashboardClient(host.Address); // a local request acts as an operator

        var changed = await client.GetPageAsync($"hangfire/ops/files/{versions[0]}");
        var broken = await client.GetPageAsync($"hangfire/ops/files/{versions[2]}");

        Assert.Contains("the service was busy", changed, StringComparison.Ordinal); // its old failure is shown
        Assert.DoesNotContain("Retry failed files of", changed, StringComparison.Ordinal);
        Assert.Contains("Retry failed files of e2e", broken, StringComparison.Ordinal);
        Assert.DoesNotContain("Retry them, permanent failures too", broken, StringComparison.Ordinal);

        // A permanent failure is left by a plain retry: only the button that takes it is offered.
        var corrupt = await client.GetPageAsync($"hangfire/ops/files/{versions[3]}");
        Assert.DoesNotContain("Retry failed files of", corrupt, StringComparison.Ordinal);
        Assert.Contains("Retry them, permanent failures too", corrupt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFileChangedThousandsOfTimes_ListsItsNewestVersionsResultsAndOutputs_AndSaysThereAreMore()
    {
        await using var host = await WorkerHost.StartAsync(Env.Root, Env.Settings());
        // A report overwritten every hour: a new version each time, each sent, recorded and followed up.
        var latest = await Env.Database.ScalarAsync<long>("""
            with s as (insert into orchestrator.source (name) values ('e2e') on conflict do nothing),
            r as (insert into orchestrator.run (source_name, trigger, state, started_at, finished_at, new_versions)
                  values ('e2e', 'Schedule', 'Completed', now(), now(), 2500) returning id),
            b as (insert into orchestrator.batch (run_id, source_name, state, job_type, configuration_id, directory_name, file_count, remote_batch_id, finished_at)
                  select r.id, 'e2e', 'ResultsRecorded', 'parse_v2', 'cfg-PARSE_AGENTIC', 'dir-report', 2500, 'bat-report', now() from r returning id),
            v as (insert into orchestrator.file_version (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state, run_id, batch_id, job_id)
                  select 'e2e', 'daily-report.pdf', 10, i, sha256(i::text::bytea), 'report-' || i, 'Succeeded', r.id, b.id, 'pjb-report-' || lpad(i::text, 5, '0')
                  from r, b, generate_series(1, 2500) i returning id, batch_id, job_id),
            br as (insert into orchestrator.batch_result (batch_id, file_version_id, source_directory_file_id, job_id, outcome, follow_up_state)
                   select batch_id, id, 'dfl-' || id, job_id, 'Succeeded', 'FollowedUp' from v)
            select max(id) from v
            """);
        using var client = new DashboardClient(host.Address);

        var page = await client.GetPageAsync($"hangfire/ops/files/{latest}");

        foreach (var (section, what) in new[] { ("Versions", "versions"), ("Batches and job references", "batch reports"), ("Output", "job references") })
        {
            var table = Regex.Match(page, $"<table[^>]*data-section=\"{section}\">.*?</table>", RegexOptions.Singleline);
            Assert.True(table.Success, $"the page has its {section} table");
            Assert.Equal(200, Regex.Count(table.Value, "<tr>") - 1);
            Assert.Contains("pjb-report-02500", table.Value, StringComparison.Ordinal); // the newest first
            Assert.DoesNotContain("pjb-report-02300<", table.Value, StringComparison.Ordinal);
            Assert.Contains($"Showing the newest 200 {what}; there are more, older ones.", page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheSourcesPage_ListsTheFilesSetAsideOfTheConfiguredSourcesOnly_AsItsCountsAndTheGaugeCountThem()
    {
        await using var host = await WorkerHost.StartAsync(Env.Root, Env.Settings());
        // 'retired' was a source once: no scan of it clears what it set aside, so its rows stay for ever.
        await Env.Database.ExecuteAsync("""
            insert into orchestrator.source_file_problem (source_name, relative_path, kind, reason, first_seen_at, last_seen_at)
            values ('e2e', 'empty.txt', 'Empty', 'the file is empty', now(), now()),
                   ('retired', 'old/unreadable.pdf', 'Unreadable', 'permission denied', now(), now())
            """);
        using var client = new DashboardClient(host.Address);

        var page = await client.GetPageAsync("hangfire/ops/sources");

        var setAside = Regex.Match(page, "<table[^>]*data-section=\"Files set aside by the scanner\">.*?</table>", RegexOptions.Singleline);
        Assert.True(setAside.Success, "the page has its set-aside table");
        Assert.Contains("empty.txt", setAside.Value, StringComparison.Ordinal);
        Assert.DoesNotContain("old/unreadable.pdf", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheFilesPage_FindsAFileTheScannerSetAside_WithItsReason_ThoughItHasNoVersion()
    {
        await using var host = await WorkerHost.StartAsync(Env.Root, Env.Settings());
        // An operator drops an empty file and searches for it: it has no version to list, only the scanner's reason.
        await Env.Database.ExecuteAsync("""
            insert into orchestrator.source_file_problem (source_name, relative_path, kind, reason, first_seen_at, last_seen_at)
            values ('e2e', 'scans/empty-invoice.pdf', 'Empty', 'zero bytes: nothing to process', now(), now()),
                   ('e2e', 'other/too-big.pdf', 'TooLarge', 'larger than MaxFileBytes', now(), now())
            """);
        using var client = new DashboardClient(host.Address);

        var page = await client.GetPageAsync("hangfire/ops/files?q=empty-inv");

        var setAside = Regex.Match(page, "<table[^>]*data-section=\"Set aside by the scanner\">.*?</table>", RegexOptions.Singleline);
        Assert.True(setAside.Success, "the search shows what the scanner set aside under a matching path");
        Assert.Contains("scans/empty-invoice.pdf", setAside.Value, StringComparison.Ordinal);
        Assert.Contains("zero bytes: nothing to process", setAside.Value, StringComparison.Ordinal);
        Assert.DoesNotContain("other/too-big.pdf", page, StringComparison.Ordinal);
        Assert.Contains("No file matches: whose path contains", page, StringComparison.Ordinal); // and no version does
    }
}
