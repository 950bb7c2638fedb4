namespace BatchOrchestrator.Sandbox.Tests;

/// <summary>
/// The fixture of a test class whose tests all want the suite's default Sandbox: xUnit builds the class once per
/// test, so each test still gets a fresh Sandbox (its own counters and state), started before and disposed after
/// it, without every test repeating the start. A test that needs other options swaps it for its own with
/// <see cref="RestartSandboxAsync"/>.
/// </summary>
public abstract class SandboxPerTest : IAsyncLifetime
{
    protected TestSandbox Sandbox { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Sandbox = await TestSandbox.StartAsync();

    /// <summary>Replaces this test's Sandbox with one started with other options; the default one is disposed first.</summary>
    protected async Task RestartSandboxAsync(Action<SandboxOptions> configure)
    {
        await Sandbox.DisposeAsync();
        Sandbox = await TestSandbox.StartAsync(configure);
    }

    public async ValueTask DisposeAsync()
    {
        await Sandbox.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
