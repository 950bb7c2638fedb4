namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>Where a verb writes its answer (stdout), and whether that is a terminal (progress bars) or a pipe (plain lines).</summary>
internal sealed record VerbConsole(TextWriter Out, bool IsTerminal)
{
    public static VerbConsole Standard() => new(Console.Out, !Console.IsOutputRedirected);
}
