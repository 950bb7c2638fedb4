using System.Globalization;
using BatchOrchestrator.Core;
using BatchOrchestrator.Persistence;
using BatchOrchestrator.Worker;
using Serilog;

Log.Logger = new LoggerConfiguration().WriteTo.Console(formatProvider: CultureInfo.InvariantCulture).CreateBootstrapLogger();
try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddBatchCore();
    builder.AddBatchPersistence();
    builder.AddBatchWorker();
    await builder.Build().RunAsync();
    return 0;
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
