namespace BatchOrchestrator.Worker.IntegrationTests.Support;

/// <summary>
/// The collection of light tests that touch no database and build no host (parsing, file checks,
/// reflection), so they run beside the in-process hosts. Every test that runs the Worker, in this
/// process or as a child, stays in the serial default collection: on two cores, running them side by
/// side starved the hosts.
/// </summary>
internal static class ChildProcesses
{
    public const string Collection = "No host, no database";
}
