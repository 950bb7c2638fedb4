namespace BatchOrchestrator.Worker.Tests;

/// <summary>
/// The collection of light tests that build no host in this process (parsing, file checks, short verb
/// processes), so they run beside the in-process ones. The heavy process tests (two instances, the
/// published app) stay in the serial default collection: on two cores, running them beside a host
/// starves it.
/// </summary>
internal static class ChildProcesses
{
    public const string Collection = "No host in this process";
}
