namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// When the looks for a late bill are made (docs/costs.md, "Late bills"): the last at <see cref="FollowUpOptions.LateBillWindow"/>
/// after the first look found the job ended without a bill, each earlier one at half the wait of the next. A bill
/// recorded seconds late is read within minutes, and one recorded hours late still at the window's end, in a few looks.
/// </summary>
internal static class LateBillSchedule
{
    /// <summary>How long after the first look without a bill the look numbered <paramref name="look"/> (from 1) is due.</summary>
    public static TimeSpan Due(FollowUpOptions options, int look) =>
        options.LateBillWindow * Math.Pow(2, Math.Min(look, options.LateBillLooks) - options.LateBillLooks);
}
