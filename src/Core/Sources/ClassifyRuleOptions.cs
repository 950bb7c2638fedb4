namespace BatchOrchestrator.Core.Sources;

/// <summary>One document type a <c>v1_classify</c> source may assign (an item of <c>Sources:N:ClassifyRules</c>).</summary>
public sealed class ClassifyRuleOptions
{
    /// <summary>The label, e.g. <c>invoice</c>.</summary>
    public string Type { get; set; } = "";

    /// <summary>What such a document looks like, in words.</summary>
    public string Description { get; set; } = "";
}
