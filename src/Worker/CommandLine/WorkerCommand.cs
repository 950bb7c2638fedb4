using BatchOrchestrator.Worker.Hosting;
using Serilog;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>
/// The process from its arguments to its exit code: the command line picks the verb first (help, usage
/// errors and <c>config hash-secret</c> end there, with no host), then the host Program.cs builds runs as
/// the service or as that verb. A failure to start is logged as fatal and exits 1: a foreseen one
/// (<see cref="StartupFailure"/>) as one line naming the setting, anything else with its stack trace.
/// </summary>
internal static class WorkerCommand
{
    public static async Task<int> RunAsync(string[] args, Func<string[], WebApplication> buildHost)
    {
        try
        {
            // run (the default), scan, status, retry, cancel, migrate, config check.
            var command = BatchCommandLine.Parse(args);
            return command.ExitCode ?? await buildHost(command.HostArguments).RunVerbAsync();
        }
        catch (Exception ex) when (StartupFailure.Explain(ex) is { } reason)
        {
            // A setting or the machine, not a bug: one line naming the cause and the setting, no stack trace.
            Log.Fatal("BatchOrchestrator cannot start: {Reason}", reason);
            return 1;
        }
        catch (Exception ex) when (ex is not HostAbortedException)
        {
            Log.Fatal(ex, "BatchOrchestrator stopped: {Reason}", ex.Message);
            return 1;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }
}
