namespace BatchOrchestrator.Core.Tests.LlamaCloud;

/// <summary>
/// A test class that meets the typed client over loopback: before each test a Sandbox starts and the client
/// is wired to it as production wires it (<see cref="ClientHost"/>), with the class's retry settings; both
/// stop after the test.
/// </summary>
public abstract class SandboxClientFacts(int maxRetries = 2, IEnumerable<KeyValuePair<string, string?>>? settings = null) : IAsyncLifetime
{
    protected const string Key = "llx-test-key-0123456789";
    private SandboxServer? sandbox;
    private SandboxAdmin? admin;
    private ServiceProvider? services;

    protected SandboxServer Sandbox => sandbox ?? throw NotStarted();

    protected SandboxAdmin Admin => admin ?? throw NotStarted();

    /// <summary>The API in the key's own project.</summary>
    private protected IBatchApi Api => (services ?? throw NotStarted()).Api();

    public async ValueTask InitializeAsync()
    {
        sandbox = await SandboxServer.StartAsync(new SandboxOptions { ApiKey = Key, StepDelay = TimeSpan.FromMilliseconds(20) }, Ct);
        admin = new SandboxAdmin(sandbox.BaseAddress);
        services = ClientHost.Build(sandbox.BaseAddress, Key, maxRetries, settings);
    }

    public async ValueTask DisposeAsync()
    {
        if (services is not null)
        {
            await services.DisposeAsync();
        }

        admin?.Dispose();
        if (sandbox is not null)
        {
            await sandbox.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private static InvalidOperationException NotStarted() => new("The Sandbox starts before each test");
}
