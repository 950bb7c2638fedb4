namespace BatchOrchestrator.TestSupport;

/// <summary>The spending cap the cost tests share, as <see cref="PipelineHarness"/> settings.</summary>
public static class CapSettings
{
    /// <summary>
    /// A <c>Day</c> cap of 25 credits on the harness's source. Its configuration, cfg-PARSE_AGENTIC, bills 10 credits a
    /// page and each small text file is one page: two files fit, a third is held. <paramref name="more"/> adds settings.
    /// </summary>
    public static Dictionary<string, string?> TwoFilesADay(params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Costs:Caps:0:Source"] = PipelineHarness.SourceName,
            ["Costs:Caps:0:Window"] = "Day",
            ["Costs:Caps:0:Credits"] = "25",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }
}
