using System.Globalization;
using System.Text.RegularExpressions;

namespace BatchOrchestrator.Sandbox.Http;

/// <summary>
/// A datetime read from text as pydantic v2 reads it in lax mode, which is how FastAPI validates a timestamp filter
/// (<c>created_at_on_or_after</c>, <c>updated_at_on_or_before</c>: "Include items … at or after this timestamp", typed
/// <c>string</c> by TS SDK 2.16.0): <c>YYYY-MM-DD[T| ]HH:MM[:SS[.ffffff]][Z|±HH[:]MM]</c>, a bare date (midnight), or an
/// int or float as text, a Unix time in seconds, or milliseconds above 2·10^10. The forms only .NET's parser knows
/// (<c>12/05/2026</c>, <c>05 Dec 2026</c>, RFC 1123) are refused, as the service refuses them. A time without an offset
/// is read as UTC, the Sandbox's clock.
/// </summary>
internal static partial class PydanticDateTime
{
    private const double MillisecondsAbove = 2e10;

    public static bool TryParse(string text, out DateTimeOffset value)
    {
        value = default;
        if (UnixTime().IsMatch(text))
        {
            var number = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            var seconds = Math.Abs(number) > MillisecondsAbove ? number / 1000 : number;
            if (seconds is < -62135596800 or > 253402300799)
            {
                return false;
            }

            value = DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
            return true;
        }

        var match = Iso().Match(text);
        if (!match.Success)
        {
            return false;
        }

        var fraction = match.Groups["f"].Success ? match.Groups["f"].Value.PadRight(7, '0') : "0";
        var offset = match.Groups["z"].Value switch
        {
            "" or "Z" or "z" => TimeSpan.Zero,
            var z => Offset(z),
        };
        if (offset is not { } zone || !int.TryParse(match.Groups["h"].ValueOr("0"), out var hour) || hour > 23)
        {
            return false;
        }

        var composed = string.Create(
            CultureInfo.InvariantCulture,
            $"{match.Groups["d"].Value}T{hour:00}:{match.Groups["m"].ValueOr("00")}:{match.Groups["s"].ValueOr("00")}");
        if (!DateTime.TryParseExact(composed, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return false;
        }

        // Python holds 0001-01-01T00:00+01:00 (its instant before year 1); .NET cannot, so such an instant is the earliest
        // one there is (and the latest, past 9999), as a filter by it means: everything, or nothing.
        var utcTicks = local.AddTicks(long.Parse(fraction, CultureInfo.InvariantCulture)).Ticks - zone.Ticks;
        value = utcTicks < DateTimeOffset.MinValue.UtcTicks ? DateTimeOffset.MinValue
            : utcTicks > DateTimeOffset.MaxValue.UtcTicks ? DateTimeOffset.MaxValue
            : new DateTimeOffset(utcTicks + zone.Ticks, zone);
        return true;
    }

    /// <summary><c>±HH:MM</c>, <c>±HHMM</c> or <c>±HH</c>; null when out of range.</summary>
    private static TimeSpan? Offset(string z)
    {
        var digits = z[1..].Replace(":", "", StringComparison.Ordinal);
        var hours = int.Parse(digits[..2], CultureInfo.InvariantCulture);
        var minutes = digits.Length > 2 ? int.Parse(digits[2..], CultureInfo.InvariantCulture) : 0;
        if (hours > 23 || minutes > 59)
        {
            return null;
        }

        var span = new TimeSpan(hours, minutes, 0);
        return z[0] == '-' ? -span : span;
    }

    private static string ValueOr(this Group group, string fallback) => group.Success ? group.Value : fallback;

    [GeneratedRegex(@"^-?[0-9]+(\.[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex UnixTime();

    [GeneratedRegex(
        @"^(?<d>[0-9]{4}-[0-9]{2}-[0-9]{2})(?:[Tt _](?<h>[0-9]{2}):(?<m>[0-9]{2})(?::(?<s>[0-9]{2})(?:[.,](?<f>[0-9]{1,6}))?)?(?<z>[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?)?$",
        RegexOptions.CultureInvariant)]
    private static partial Regex Iso();
}
