using System.Globalization;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Sandbox.Extract;
using BatchOrchestrator.Sandbox.Parse;

namespace BatchOrchestrator.Sandbox.Billing;

/// <summary>
/// Bills finished jobs like the service (docs/llamacloud-api.md §1.7): credits per page by tier, pages by
/// the document's page count (<see cref="PageCounter"/>, the rule the Worker estimates with), an extract
/// job also paying for its parse at its parse tier (none for turbo). Keeps the Sandbox's own record of
/// what was billed, and an optional finite balance: once it is spent, requests that would consume
/// credits answer 402 (<see cref="CreditGateMiddleware"/>). Thread-safe.
/// </summary>
internal sealed class SandboxBilling(SandboxOptions options)
{
    private static readonly Dictionary<string, decimal> ParseRates = new(StringComparer.Ordinal) { ["fast"] = 1, ["cost_effective"] = 3, ["agentic"] = 10, ["agentic_plus"] = 45 };
    private static readonly Dictionary<string, decimal> ExtractRates = new(StringComparer.Ordinal) { ["cost_effective"] = 5, ["agentic"] = 15, ["agentic_plus"] = 50, ["turbo"] = 35 };

    private readonly Lock gate = new();
    private readonly Dictionary<string, decimal> byProject = new(StringComparer.Ordinal);
    private decimal? balance = options.CreditBalance;
    private decimal billed;
    private long pages;
    private long jobs;

    /// <summary>True while a finite balance is spent: credit-consuming requests are refused with 402.</summary>
    public bool Exhausted
    {
        get
        {
            lock (gate)
            {
                return balance is <= 0;
            }
        }
    }

    /// <summary>
    /// Bills a parse job that completed, at <paramref name="tier"/> (the asked tier, or a fault's) or the dearer tier an
    /// auto-mode rule of its configuration parses its pages at, and what its options add per page.
    /// </summary>
    public void BillParse(ParseJobRecord job, string tier)
    {
        var count = Pages(job);
        job.BilledTier = tier;
        job.BilledPages = count;
        var perPage = job.RuleTiers.Select(t => ParseRates.GetValueOrDefault(t, 10)).Append(ParseRates.GetValueOrDefault(tier, 10)).Max();
        job.BilledCredits = (perPage + job.ExtraCreditsPerPage) * count;
        Charge(job.ProjectId, job.BilledCredits.Value, count);
    }

    /// <summary>Bills an extract job that completed: its extract tier and, unless turbo, its parse tier.</summary>
    public void BillExtract(ExtractJobRecord job, string tier, string? parseTier)
    {
        var count = Pages(job);
        job.BilledTier = tier;
        job.BilledPages = count;
        job.BilledExtractCredits = ExtractRates.GetValueOrDefault(tier, 15) * count;
        job.BilledParseCredits = tier == "turbo" ? 0 : ParseRates.GetValueOrDefault(parseTier ?? tier, 10) * count;
        job.BilledCredits = job.BilledExtractCredits + job.BilledParseCredits;
        Charge(job.ProjectId, job.BilledCredits.Value, count);
    }

    /// <summary>Sets the balance (null: unlimited, the default).</summary>
    public void SetBalance(decimal? credits)
    {
        lock (gate)
        {
            balance = credits;
        }
    }

    public void Reset()
    {
        lock (gate)
        {
            balance = options.CreditBalance;
            billed = 0;
            pages = 0;
            jobs = 0;
            byProject.Clear();
        }
    }

    public void Write(System.Text.Json.Utf8JsonWriter writer)
    {
        lock (gate)
        {
            writer.WriteStartObject();
            if (balance is { } left)
            {
                writer.WriteNumber("balance", left);
            }
            else
            {
                writer.WriteNull("balance");
            }

            writer.WriteNumber("credits_billed_total", billed);
            writer.WriteNumber("pages_billed_total", pages);
            writer.WriteNumber("jobs_billed_total", jobs);
            writer.WriteStartObject("credits_billed_by_project");
            foreach (var (project, credits) in byProject)
            {
                writer.WriteNumber(project, credits);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }
    }

    private static int Pages(Parse.SimulatedJob job)
    {
        using var stream = new MemoryStream(job.Source.Bytes, writable: false);
        return PageCounter.Count(stream, job.Source.Extension).Pages;
    }

    private void Charge(string project, decimal credits, int count)
    {
        lock (gate)
        {
            billed += credits;
            pages += count;
            jobs++;
            byProject[project] = byProject.GetValueOrDefault(project) + credits;
            balance -= credits; // stays null when unlimited
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{billed} credits billed");
}
