using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>Runs the built host as the service, or as the one verb it was built for, and returns the exit code.</summary>
internal static class VerbHost
{
    public static async Task<int> RunVerbAsync(this WebApplication app)
    {
        var verb = app.Services.GetRequiredService<IOptions<VerbOptions>>().Value;
        if (verb.IsService)
        {
            await app.RunAsync();
            return 0;
        }

        if (verb.Name == Verbs.ConfigCheck)
        {
            return ConfigCheck.Run(app.Services, app.Services.GetRequiredService<VerbConsole>());
        }

        var exit = app.Services.GetRequiredService<VerbExit>(); // RunAsync disposes the services
        await app.RunAsync();
        return exit.Code;
    }
}
