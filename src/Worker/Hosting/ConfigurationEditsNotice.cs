using BatchOrchestrator.Core.Sources;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Primitives;

namespace BatchOrchestrator.Worker.Hosting;

/// <summary>
/// Says, in one Warning, when the configuration is edited while the service runs: settings are read at start, and an
/// edit is applied by a restart (docs/configuration.md, "Editing the configuration of a running service"). Without it an
/// operator who added a source, or changed a cap, would wait for something that never happens. Said again only when
/// what differs changes (an editor saving twice reloads twice), and once more when the file is back as it started. A
/// file that no longer parses (saved half-typed) is read as empty, which would look like every source removed: it is
/// said as what it is.
/// </summary>
internal sealed class ConfigurationEditsNotice(IConfiguration configuration, ConfigurationEdits edits, ILogger<ConfigurationEditsNotice> logger) : IHostedLifecycleService
{
    private readonly Lock gate = new();
    private IDisposable? subscription;
    private ConfigurationChanges? said;
    private string? unreadable;
    private bool afterUnreadable;

    /// <summary>
    /// Before any hosted service starts (the embedded server and the migrations may take minutes), so that an edit made
    /// meanwhile is said too. Set now, so only a reload's failure comes here: a file unreadable at start has already
    /// stopped the start.
    /// </summary>
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        foreach (var file in (configuration as IConfigurationBuilder)?.Sources.OfType<JsonConfigurationSource>() ?? [])
        {
            file.OnLoadException = failed =>
            {
                Volatile.Write(ref unreadable, $"{failed.Exception.Message} {failed.Exception.InnerException?.Message}".Trim());
                failed.Ignore = true; // thrown, it would only go unobserved on the file watcher's thread
            };
        }

        subscription = ChangeToken.OnChange(configuration.GetReloadToken, Reloaded);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        subscription?.Dispose();
        return Task.CompletedTask;
    }

    private void Reloaded()
    {
        // On the file watcher's thread: an exception here would end the process.
        try
        {
            lock (gate)
            {
                if (Interlocked.Exchange(ref unreadable, null) is { } reason)
                {
                    afterUnreadable = true; // whatever the file says once it reads again is said, even the start's settings
                    logger.LogWarning(
                        "The configuration file could not be read since it was edited ({Reason}); this service goes on with the settings it started with, and runs "
                        + "of the sources it configured wait until the file reads again. Fix it ('config check' names the problem), then restart to apply the edit",
                        reason);
                    return;
                }

                var changes = edits.Changes();
                if (!afterUnreadable && (said is null ? changes.None : changes.Same(said)))
                {
                    return;
                }

                (said, afterUnreadable) = (changes, false);
                if (changes.None)
                {
                    logger.LogInformation("The configuration is back to what this service started with");
                    return;
                }

                logger.LogWarning(
                    "The configuration was edited since this service started ({Changes}); it goes on with the settings it started with until it is restarted, "
                    + "and runs of a source renamed, removed or given another JobType, ConfigurationId or V1ParseTier wait for that restart, so nothing is sent "
                    + "under settings no longer configured. Check the edit with 'config check', then restart every instance (docs/configuration.md, \"Editing the configuration of a running service\")",
                    changes.ToString());
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning("The configuration was edited, but what changed could not be read ({Reason}); restart the service to apply the edit", ex.Message);
        }
    }
}
