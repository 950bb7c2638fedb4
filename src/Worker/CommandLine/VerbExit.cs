namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>The exit code of the verb that ran; until a verb has answered, that it was stopped before it could.</summary>
internal sealed class VerbExit
{
    /// <summary>A verb stopped before it finished (SIGTERM, Ctrl-C, a host stopping under it): 128 + SIGINT, as shells report one.</summary>
    public const int Interrupted = 130;

    public int Code { get; set; } = Interrupted;
}
