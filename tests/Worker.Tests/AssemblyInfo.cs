using BatchOrchestrator.TestSupport;
using Xunit.Sdk;
using Xunit.v3;

[assembly: AssemblyFixture(typeof(PostgresServerFixture))]

// Hangfire keeps some configuration in static state (GlobalConfiguration); hosts in this assembly run one at a time.
[assembly: Parallelization(Mode = ParallelMode.None)]
