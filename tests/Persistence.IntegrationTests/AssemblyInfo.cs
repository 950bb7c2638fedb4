[assembly: AssemblyFixture(typeof(PostgresServerFixture))]
