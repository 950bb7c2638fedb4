namespace BatchOrchestrator.Worker.Logging;

/// <summary>The console log ("Logs" section). Levels stay in the "Serilog" section.</summary>
public sealed class LogOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Logs";

    /// <summary><c>Auto</c> (the default), <c>Text</c> or <c>Json</c>.</summary>
    public LogFormat Format { get; set; } = LogFormat.Auto;
}
