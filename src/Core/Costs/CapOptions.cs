namespace BatchOrchestrator.Core.Costs;

/// <summary>One spending cap ("Costs:Caps:N"): at most <see cref="Credits"/> per <see cref="Window"/>, for one source or all.</summary>
public sealed class CapOptions
{
    /// <summary>The source the cap is for; empty means every source together (the global cap).</summary>
    public string? Source { get; set; }

    /// <summary>The span the credits are counted over.</summary>
    public CapWindow Window { get; set; } = CapWindow.Day;

    /// <summary>Credits allowed in one window (estimates reserved, replaced by what was billed once known).</summary>
    public decimal Credits { get; set; }

    /// <summary>The name of the cap's scope: the source, or <c>global</c>.</summary>
    internal string Scope => string.IsNullOrWhiteSpace(Source) ? GlobalScope : Source;

    /// <summary>The scope name of caps on every source together.</summary>
    public const string GlobalScope = "global";
}

/// <summary>What a cap counts over.</summary>
public enum CapWindow
{
    /// <summary>One run's planning (each run of each source for a global cap).</summary>
    Run,

    /// <summary>A calendar day in <see cref="CostOptions.TimeZone"/>.</summary>
    Day,

    /// <summary>A calendar month in <see cref="CostOptions.TimeZone"/>.</summary>
    Month,
}
