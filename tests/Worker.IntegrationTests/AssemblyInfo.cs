[assembly: AssemblyFixture(typeof(PostgresServerFixture))]

// Hangfire keeps some configuration in static state (GlobalConfiguration): hosts built in this process run
// one at a time, in the assembly's one default collection. Light tests that build no host here are in the
// ChildProcesses.Collection, which runs beside it.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]
