namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>The exit code a verb ends with: 0 done, 1 failed, 2 bad usage (an unknown source, or a run or batch id that names none, say).</summary>
internal sealed class VerbExit
{
    public int Code { get; set; }
}
