using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>
/// One table of an operator's page, with the buttons each row offers to an operator, and the links it
/// offers anyone (to a page where a button acts after a preview).
/// </summary>
internal sealed record OpsSection(string Heading, OpsTable Table, Func<object?[], IEnumerable<OpsAction>>? Actions = null, string? Empty = null)
{
    public Func<object?[], IEnumerable<OpsAction>>? Links { get; init; }

    /// <summary>Said above the table: that it shows only some of what matched, and how to find the rest.</summary>
    public string? Note { get; init; }
}

/// <summary>A button that POSTs to one of our commands; <see cref="Confirm"/> asks first.</summary>
internal sealed record OpsAction(string Label, string Path, string? Confirm = null);
