namespace BatchOrchestrator.Worker.IntegrationTests.Support;

/// <summary>
/// Base for facts that run the Worker, in this process or as a child: each test gets a fresh
/// <see cref="TestEnvironment"/> (database, Sandbox, content root), named after the test class, and disposes it after.
/// </summary>
public abstract class EnvironmentFacts(PostgresServerFixture server, SandboxOptions? sandbox = null) : IAsyncLifetime
{
    private TestEnvironment? env;

    private protected TestEnvironment Env => env ?? throw new InvalidOperationException("The environment exists only while a test runs.");

    public async ValueTask InitializeAsync() => env = await TestEnvironment.CreateAsync(server, GetType().Name, sandbox);

    public ValueTask DisposeAsync() => env?.DisposeAsync() ?? ValueTask.CompletedTask;
}
