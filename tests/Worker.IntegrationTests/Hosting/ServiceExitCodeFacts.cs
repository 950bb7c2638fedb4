namespace BatchOrchestrator.Worker.IntegrationTests.Hosting;

/// <summary>
/// The service's exit code, as Program.cs returns it: 0 after a clean stop, 1 when a background
/// service failed and took the host down (systemd's Restart=on-failure acts only on the latter).
/// </summary>
public sealed class ServiceExitCodeFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    [Fact]
    public async Task TheService_ExitsZero_AfterACleanStop()
    {
        var (exitCode, _) = await WorkerHost.RunVerbAsync(Env.Root, Service(), configure: s => s.AddHostedService<StopsTheService>());

        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task TheService_ExitsZero_WhenTheStopEndsAServiceCancelled()
    {
        var (exitCode, _) = await WorkerHost.RunVerbAsync(
            Env.Root, Service(), configure: s => s.AddHostedService<StopsTheService>().AddHostedService<WaitsForTheStop>());

        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task TheService_ExitsZero_WhenAskedToStopWhileAServiceIsStillStarting()
    {
        var (exitCode, _) = await WorkerHost.RunVerbAsync(Env.Root, Service(), configure: s => s.AddHostedService<StopsWhileStarting>());

        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task TheService_ExitsOne_WhenABackgroundServiceFailed()
    {
        var (exitCode, _) = await WorkerHost.RunVerbAsync(Env.Root, Service(), configure: s => s.AddHostedService<Fails>());

        Assert.Equal(1, exitCode);
    }

    [Fact]
    public async Task TheService_ExitsOne_WhenABackgroundServiceEndedCancelledBeforeAnyStop()
    {
        var (exitCode, _) = await WorkerHost.RunVerbAsync(Env.Root, Service(), configure: s => s.AddHostedService<Cancels>());

        Assert.Equal(1, exitCode);
    }

    [Fact]
    public async Task TheService_ExitsOne_WhenABackgroundServiceEndedOnAnHttpTimeout()
    {
        var (exitCode, _) = await WorkerHost.RunVerbAsync(Env.Root, Service(), configure: s => s.AddHostedService<TimesOut>());

        Assert.Equal(1, exitCode);
    }

    private Dictionary<string, string?> Service()
    {
        var settings = Env.Settings();
        settings["Verb:Name"] = "run";
        return settings;
    }

    private static async Task StartedAsync(IHostApplicationLifetime lifetime, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        await using var registration = lifetime.ApplicationStarted.Register(started.SetResult);
        await started.Task.WaitAsync(stoppingToken);
    }

    private sealed class StopsTheService(IHostApplicationLifetime lifetime) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await StartedAsync(lifetime, stoppingToken);
            lifetime.StopApplication();
        }
    }

    // Ends cancelled by the stop, as a loop on a delay or a timer does when it lets the cancellation through; this one
    // follows the application's stopping itself, as a service that must not start anything new once it stops does.
    private sealed class WaitsForTheStop(IHostApplicationLifetime lifetime) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
            await Task.Delay(Timeout.Infinite, stopping.Token);
        }
    }

    // A SIGTERM while a start waits (the migrations behind another instance's): the start's token is cancelled under it.
    private sealed class StopsWhileStarting(IHostApplicationLifetime lifetime) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.StopApplication();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    // An OperationCanceledException nobody asked for.
    private sealed class Cancels(IHostApplicationLifetime lifetime) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await StartedAsync(lifetime, stoppingToken);
            throw new OperationCanceledException("a request was given up");
        }
    }

    // As HttpClient ends a request at its Timeout: its own token cancelled, a TimeoutException inside.
    private sealed class TimesOut(IHostApplicationLifetime lifetime) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await StartedAsync(lifetime, stoppingToken);
            using var timeout = new CancellationTokenSource();
            await timeout.CancelAsync();
            throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.", new TimeoutException("The operation was canceled."), timeout.Token);
        }
    }

    private sealed class Fails(IHostApplicationLifetime lifetime) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await StartedAsync(lifetime, stoppingToken); // once the whole service is up, as a watcher would fail
            throw new InvalidOperationException("a background service failed");
        }
    }
}
