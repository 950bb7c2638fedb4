using System.Globalization;
using BatchOrchestrator.Core.Planning;
using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Worker.Costs;

/// <summary>A plan as tables, the same on the dashboard's Plan page and from the <c>plan</c> verb.</summary>
internal static class PlanTables
{
    public static OpsTable Summary(PlanReport plan) => new(
        ["Source", "Tier", "Credits a page", "Files seen", "Unchanged", "New or changed", "Still settling", "Settling credits (estimated)", "Set aside", "Already waiting", "Pages", "Credits (estimated)", "USD (estimated)", "Batches", "Upload time"],
        [[
            plan.Source, $"{plan.Tier.Tier} ({plan.Tier.ConfigurationId})", plan.Tier.CreditsPerPage, plan.Seen, plan.Unchanged, plan.NewOrChanged, plan.Settling,
            plan.SettlingCredits, plan.SetAside, plan.Waiting, plan.Pages, plan.Credits, plan.Usd, plan.Batches, Format(plan.UploadEta),
        ]]);

    public static OpsTable Caps(PlanReport plan) => new(
        ["Cap", "Credits", "Used in window", "Files it lets through", "Credits reserved", "Files held", "Why"],
        plan.Caps.Count == 0
            ? []
            : [.. plan.Caps.Select((c, i) => new object?[]
            {
                // What all the caps let through together, on the first row; what is held, on the row of the cap that holds it.
                c.Cap.Name, c.Cap.Limit, c.Used, i == 0 ? plan.Taken : null, i == 0 ? plan.CreditsReserved : null,
                c.Cap.Name == HoldingCap(plan) ? plan.Held : null, c.Cap.Name == HoldingCap(plan) ? plan.HeldBy : null,
            })]);

    private static string? HoldingCap(PlanReport plan) =>
        plan.Held == 0 ? plan.Caps[0].Cap.Name : plan.Caps.Any(c => c.Cap.Name == plan.HeldCap) ? plan.HeldCap : plan.Caps[0].Cap.Name;

    private static string Format(TimeSpan eta) => eta < TimeSpan.FromMinutes(1)
        ? string.Create(CultureInfo.InvariantCulture, $"{eta.TotalSeconds:0} s")
        : string.Create(CultureInfo.InvariantCulture, $"{eta.TotalMinutes:0.#} min");
}
