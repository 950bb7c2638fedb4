using Spectre.Console;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>
/// Where a verb writes its answer (stdout) and why it could not do what was asked (stderr, as usage errors
/// are, so a script that keeps the answer still shows the failure), and whether stdout is a terminal
/// (colours, a live progress bar) or a file or pipe (plain lines, no control characters, a table row never wrapped).
/// </summary>
internal sealed class VerbConsole(TextWriter output, bool isTerminal, TextWriter? error = null)
{
    // A pipe has no width; Spectre would assume 80 columns and wrap every wide row over several lines.
    private const int PipeWidth = 4096;

    private IAnsiConsole? ansi;

    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error ?? Console.Error;

    public bool IsTerminal { get; } = isTerminal;

    /// <summary>Spectre.Console over <see cref="Out"/>: ANSI and colours only on a terminal.</summary>
    public IAnsiConsole Ansi => ansi ??= Create();

    public static VerbConsole Standard() => new(Console.Out, !Console.IsOutputRedirected, Console.Error);

    private IAnsiConsole Create()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Out),
            Ansi = IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = IsTerminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!IsTerminal)
        {
            console.Profile.Width = PipeWidth;
        }

        return console;
    }
}
