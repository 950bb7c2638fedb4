namespace BatchOrchestrator.Sandbox.State;

/// <summary>Id prefixes from docs/llamacloud-api.md §1.5: a prefix and a UUID tail.</summary>
internal static class Ids
{
    public static string Directory() => New("dir");

    public static string File() => New("dfl");

    public static string Batch() => New("bat");

    public static string ParseJob() => New("pjb");

    public static string ExtractJob() => New("ext");

    public static string Configuration() => New("cfg");

    /// <summary>Webhook config and v1 batch ids are undocumented (§1.5 [?]); plain UUIDs.</summary>
    public static string Plain() => Guid.NewGuid().ToString();

    private static string New(string prefix) => $"{prefix}-{Guid.NewGuid()}";
}
