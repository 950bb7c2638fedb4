using BatchOrchestrator.Sandbox.Hosting;

namespace BatchOrchestrator.Sandbox;

/// <summary>
/// Standalone: <c>dotnet run --project src/Sandbox -- --urls http://127.0.0.1:8090 --Sandbox:ApiKey=llx-test</c>.
/// Options come from the "Sandbox" section of the command line, SANDBOX__* environment variables
/// or an optional sandbox.json; without --urls it listens on http://127.0.0.1:8090.
/// </summary>
internal static class Program
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Configuration.Sources.Clear();
        builder.Configuration
            .AddJsonFile("sandbox.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args);
        var options = new SandboxOptions();
        builder.Configuration.GetSection("Sandbox").Bind(options);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{(options.Port == 0 ? 8090 : options.Port)}");
        }

        builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        SandboxApp.AddServices(builder.Services, options);
        var app = builder.Build();
        SandboxApp.Configure(app);
        app.Logger.LogInformation(
            "LlamaCloud Sandbox listening; bearer key {KeyState}, step delay {StepDelay}",
            string.IsNullOrEmpty(options.ApiKey) ? "not required" : "required",
            options.StepDelay);
        await app.RunAsync();
    }
}
