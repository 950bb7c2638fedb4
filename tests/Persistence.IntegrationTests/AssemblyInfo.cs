using BatchOrchestrator.TestSupport;

[assembly: AssemblyFixture(typeof(PostgresServerFixture))]
