using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>Runs the built host as the service, or as the one verb it was built for, and returns the exit code.</summary>
internal static class VerbHost
{
    public static async Task<int> RunVerbAsync(this WebApplication app)
    {
        var verb = app.Services.GetRequiredService<IOptions<VerbOptions>>().Value;
        if (verb.IsService)
        {
            var configuration = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("BatchOrchestrator.Configuration");
            foreach (var unknown in Core.Validation.UnknownSettings.Find(app.Services))
            {
                // A misspelled key leaves its setting at the default: said once, at the start, as config check says it.
                configuration.LogWarning("{Key}: not a setting, nothing reads it{Meant}", unknown.Path, unknown.Meant is { } meant ? $" (did you mean {meant}?)" : "");
            }

            using var ends = BackgroundServiceEnds.Watch(app.Services, app.Lifetime);
            await RunOrStopAsync(app);
            return ends.ExitCode();
        }

        if (verb.Name == Verbs.ConfigCheck)
        {
            return ConfigCheck.Run(app.Services, app.Services.GetRequiredService<VerbConsole>());
        }

        if (VerbPrecheck.Problem(verb, app.Configuration, ownSandbox: app.Services.GetService<global::BatchOrchestrator.Sandbox.SandboxOptions>() is not null) is { } problem)
        {
            // Refused before anything starts: no Sandbox, no embedded server, no migration for a name mistyped.
            await app.Services.GetRequiredService<VerbConsole>().Error.WriteLineAsync(VerbRunner.UsageLine(verb, problem));
            await app.DisposeAsync();
            return UsageError.ExitCode;
        }

        var exit = app.Services.GetRequiredService<VerbExit>(); // RunAsync disposes the services
        await RunOrStopAsync(app);
        return exit.Code;
    }

    // A failed start leaves running what had started (the embedded PostgreSQL server, background services
    // already at work): stop it before the failure is told, and before the host is disposed. RunAsync would
    // dispose it first, which cancels those services without the host knowing it is stopping, and each logs
    // its cancellation as an unhandled failure: a second fatal line after the one that names the cause.
    private static async Task RunOrStopAsync(WebApplication app)
    {
        try
        {
            try
            {
                await app.StartAsync();
            }
            catch (OperationCanceledException) when (app.Lifetime.ApplicationStopping.IsCancellationRequested)
            {
                // Asked to stop while still starting (SIGTERM while the migrations wait for another instance's, say): a stop
                // like any other, of what had started, and no failed start.
                await app.StopAsync(CancellationToken.None);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                app.Services.GetRequiredService<Hosting.FailedStart>().Mark();
                try
                {
                    await app.StopAsync(CancellationToken.None);
                }
                catch (Exception stopFailure) when (stopFailure is not OutOfMemoryException)
                {
                    // The start-up failure is what the operator needs to hear about; a stop that fails after it adds nothing.
                }

                throw;
            }

            await app.WaitForShutdownAsync();
        }
        finally
        {
            await app.DisposeAsync();
        }
    }
}
