namespace BatchOrchestrator.Core.IntegrationTests;

/// <summary>
/// A test class whose every test starts with a fresh <see cref="PipelineHarness"/> (a database, a Sandbox
/// and a source folder of its own), made the same way for each test of the class and disposed after it. A
/// class whose tests need different settings each makes its own harness instead.
/// </summary>
public abstract class HarnessPerTest(PostgresServerFixture server) : IAsyncLifetime
{
    private PipelineHarness? harness;

    /// <summary>The PostgreSQL server, for a test that needs a second harness of other settings.</summary>
    protected PostgresServerFixture Server => server;

    /// <summary>The running test's harness.</summary>
    protected PipelineHarness Harness => harness ?? throw new InvalidOperationException("The harness is made before each test");

    public async ValueTask InitializeAsync() => harness = await CreateHarnessAsync(server);

    public async ValueTask DisposeAsync()
    {
        if (harness is not null)
        {
            await harness.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>The class's harness: the defaults unless the class overrides this with settings of its own.</summary>
    protected virtual Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(server);
}
