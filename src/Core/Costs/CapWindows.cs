namespace BatchOrchestrator.Core.Costs;

/// <summary>Where a cap's current window began: local midnight, or the first of the month, in the configured time zone.</summary>
internal static class CapWindows
{
    /// <summary>The start of the window holding <paramref name="now"/>; null for <see cref="CapWindow.Run"/>, which counts one run.</summary>
    public static DateTimeOffset? Start(CapWindow window, DateTimeOffset now, TimeZoneInfo zone)
    {
        if (window == CapWindow.Run)
        {
            return null;
        }

        var local = TimeZoneInfo.ConvertTime(now, zone);
        var start = window == CapWindow.Day ? local.Date : new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        // Midnight can fall in a daylight-saving gap (a few zones move their clocks at 00:00): take the first valid instant.
        while (zone.IsInvalidTime(start))
        {
            start = start.AddMinutes(30);
        }

        // Midnight can also come twice, where clocks go back from 01:00 to 00:00 (Atlantic/Azores, America/Havana, on
        // a 1st of the month too). GetUtcOffset takes the standard offset, the second midnight: the hour before it would
        // then count in no window, and what planning reserved in it could be spent again. The window begins at the first.
        var offset = zone.IsAmbiguousTime(start) ? zone.GetAmbiguousTimeOffsets(start).Max() : zone.GetUtcOffset(start);
        return new DateTimeOffset(start, offset).ToUniversalTime();
    }
}
