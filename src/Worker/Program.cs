using BatchOrchestrator.Core;
using BatchOrchestrator.Persistence;
using BatchOrchestrator.Worker;
using BatchOrchestrator.Worker.CommandLine;
using BatchOrchestrator.Worker.Hosting;
using BatchOrchestrator.Worker.Logging;
using Serilog;

Log.Logger = WorkerLogging.CreateBootstrapLogger();
try
{
    // run (the default), scan, status, retry, cancel, migrate, config check; --help and usage errors end here.
    var command = BatchCommandLine.Parse(args);
    if (command.ExitCode is { } exitCode)
    {
        return exitCode;
    }

    var builder = WebApplication.CreateBuilder(command.HostArguments);
    builder.AddBatchCore();
    builder.AddBatchPersistence();
    builder.AddBatchWorker();
    return await builder.Build().RunVerbAsync();
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
