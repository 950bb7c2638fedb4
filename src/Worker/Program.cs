using BatchOrchestrator.Core;
using BatchOrchestrator.Persistence;
using BatchOrchestrator.Worker;
using BatchOrchestrator.Worker.CommandLine;
using BatchOrchestrator.Worker.Logging;
using Serilog;

Log.Logger = WorkerLogging.CreateBootstrapLogger();
return await WorkerCommand.RunAsync(args, hostArguments =>
{
    var builder = WebApplication.CreateBuilder(hostArguments);
    builder.AddBatchCore();
    builder.AddBatchPersistence();
    builder.AddBatchWorker();
    return builder.Build();
});
