namespace BatchOrchestrator.Worker.Logging;

/// <summary>How the console log is written ("Logs:Format").</summary>
public enum LogFormat
{
    /// <summary>Text on a terminal, compact JSON when output goes to a file, a pipe or journald.</summary>
    Auto,

    /// <summary>One human-readable line per event.</summary>
    Text,

    /// <summary>Compact JSON (CLEF), one object per line, every property kept.</summary>
    Json,
}
