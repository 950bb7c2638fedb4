namespace BatchOrchestrator.Core.IntegrationTests.Resilience;

/// <summary>
/// One seed of the model test: two instances of the service (Core and Persistence as production wires them)
/// on one database, one Sandbox and one folder, driven by a seeded <see cref="Random"/> through an interleaving
/// of new files, scans, the steps each hand-off asks for (upload, submit, record, follow-up), poll ticks,
/// crashes (a step cut off part-way; its job handed out again, as Hangfire redelivers it), restarts of an
/// instance (its singletons lost) and database blips (every connection terminated). Then the faults stop and
/// the pipeline is driven until nothing is left to do. The seed fixes every choice; timings (where a crash
/// lands inside a step) are real, so a replay takes the same path of choices, not always the same cut.
/// </summary>
internal sealed class ModelRun(PipelineHarness harness, int seed)
{
    private static readonly TimeSpan DrainPatience = TimeSpan.FromSeconds(60);
    private readonly Random random = new(seed);
    private readonly List<(string Step, string Argument)> pending = [];
    private readonly RecordingScheduler otherScheduler = new();
    private ServiceProvider? other;
    private int files;
    private string? lastFailure;

    /// <summary>Crashes and blips that may have cut an upload short.</summary>
    public int Cuts { get; private set; }

    public async Task RunAsync(int actions, CancellationToken cancellationToken)
    {
        other = harness.AnotherInstance(otherScheduler);
        try
        {
            for (var i = 0; i < actions; i++)
            {
                await ActAsync(random.Next(10), cancellationToken);
            }

            await DrainAsync(cancellationToken);
        }
        finally
        {
            await other.DisposeAsync();
        }
    }

    private async Task ActAsync(int action, CancellationToken cancellationToken)
    {
        switch (action)
        {
            case 0:
                WriteFiles(random.Next(1, 4));
                break;
            case 1:
                await StepAsync(("run", ""), Instance(), cancellationToken);
                break;
            case 2 or 3 or 4 or 5:
                if (Take() is { } handOff)
                {
                    await StepAsync(handOff, Instance(), cancellationToken);
                }

                break;
            case 6:
                await ForcePollsDueAsync();
                await StepAsync(("poll", ""), Instance(), cancellationToken);
                break;
            case 7:
                if (Take() is { } cut)
                {
                    // A crash inside the step: it stops at whatever await it reached after a few milliseconds.
                    using var crash = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    crash.CancelAfter(random.Next(0, 30));
                    Cuts++;
                    await StepAsync(cut, Instance(), crash.Token);
                }

                break;
            case 8:
                await other!.DisposeAsync(); // a restart: the second instance's lease owner, caches and paces are gone
                other = harness.AnotherInstance(otherScheduler);
                break;
            default:
                Cuts++;
                await TerminateConnectionsAsync();
                break;
        }
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + DrainPatience;
        while (DateTime.UtcNow < deadline)
        {
            if (Take(first: true) is { } handOff)
            {
                await StepAsync(handOff, harness.Services, cancellationToken);
                continue;
            }

            if (await DoneAsync())
            {
                return;
            }

            // Nothing handed off: a scan takes files put back in the queue, a tick polls and hands stalled steps out again.
            await StepAsync(("run", ""), harness.Services, cancellationToken);
            await ForcePollsDueAsync();
            await StepAsync(("poll", ""), harness.Services, cancellationToken);
            await Task.Delay(50, cancellationToken); // the Sandbox's batches move on their own clock
        }

        var lines = harness.Logs.Lines.Where(l => l.StartsWith("Warning", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal)).TakeLast(10);
        throw new TimeoutException($"seed {seed}: work still left after the faults stopped: {await LeftAsync()}; pending {string.Join(", ", pending)}; last failure {lastFailure}\n" + string.Join('\n', lines));
    }

    private IServiceProvider Instance() => random.Next(2) == 0 ? harness.Services : other!;

    private (string Step, string Argument)? Take(bool first = false)
    {
        Collect(harness.Scheduler);
        Collect(otherScheduler);
        if (pending.Count == 0)
        {
            return null;
        }

        var index = first ? 0 : random.Next(pending.Count);
        var handOff = pending[index];
        pending.RemoveAt(index);
        return handOff;
    }

    private void Collect(RecordingScheduler scheduler)
    {
        while (scheduler.Calls.TryDequeue(out var call))
        {
            pending.Add((call.Step.Replace("scheduled-", "", StringComparison.Ordinal), call.Argument));
        }
    }

    private async Task StepAsync((string Step, string Argument) handOff, IServiceProvider services, CancellationToken cancellationToken)
    {
        try
        {
            var id = handOff.Step is "run" or "poll" ? 0 : long.Parse(handOff.Argument, CultureInfo.InvariantCulture);
            await (handOff.Step switch
            {
                "run" => services.GetRequiredService<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, cancellationToken),
                "upload" => services.GetRequiredService<BatchUploader>().UploadAsync(id, cancellationToken),
                "submit" => services.GetRequiredService<BatchSubmitter>().SubmitAsync(id, cancellationToken),
                "record" => services.GetRequiredService<BatchResultRecorder>().RecordAsync(id, cancellationToken),
                "follow-up" => services.GetRequiredService<FollowUpProcessor>().FollowUpAsync(id, cancellationToken),
                _ => services.GetRequiredService<PollTick>().RunAsync(cancellationToken),
            });
        }
        catch (Exception ex) when (handOff.Step is not ("run" or "poll"))
        {
            lastFailure = $"{handOff}: {ex.GetType().Name}: {ex.Message}";
            // A crash or a failure: Hangfire hands the job out again (its retry, or redelivery after a kill).
            pending.Add(handOff);
        }
        catch (Exception)
        {
            // A scan or a tick that failed is run again by its schedule.
        }
    }

    private void WriteFiles(int count)
    {
        for (var i = 0; i < count; i++, files++)
        {
            harness.WriteFile(string.Create(CultureInfo.InvariantCulture, $"s{seed}/f{files:D3}.txt"), $"seed {seed} file {files}");
        }
    }

    private Task ForcePollsDueAsync() => TryAsync(() => harness.Database.ExecuteAsync(
        "update orchestrator.batch set next_poll_at = now() where next_poll_at > now()"));

    private Task TerminateConnectionsAsync() => TryAsync(() => harness.Database.ExecuteAsync(
        "select count(pg_terminate_backend(pid)) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"));

    private async Task<bool> DoneAsync() =>
        await TryScalarAsync("""
            select (select count(*) from orchestrator.file_version where state not in ('Succeeded', 'Failed', 'Skipped'))
                 + (select count(*) from orchestrator.batch_result where follow_up_state = 'Recorded')
            """) == 0
        && Directory.EnumerateFiles(harness.SourcePath, "*", SearchOption.AllDirectories).Count()
            == await TryScalarAsync("select count(distinct relative_path) from orchestrator.file_version");

    private Task<string> LeftAsync() => harness.Database.ScalarAsync<string>("""
        select coalesce((select string_agg(state || '=' || n, ' ') from (select state, count(*) n from orchestrator.file_version group by state) f), '')
            || ' | batches ' || coalesce((select string_agg(state || '=' || n, ' ') from (select state, count(*) n from orchestrator.batch group by state) b), '')
        """);

    private async Task<long> TryScalarAsync(string sql)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await harness.Database.ScalarAsync<long>(sql);
            }
            catch (Npgsql.NpgsqlException) when (attempt < 3)
            {
                // a connection the last blip terminated
            }
        }
    }

    private static async Task TryAsync(Func<Task> command)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await command();
                return;
            }
            catch (Npgsql.NpgsqlException) when (attempt < 3)
            {
                // a connection the last blip terminated
            }
        }
    }
}
