using System.Numerics;

namespace BatchOrchestrator.Core.Validation;

/// <summary>
/// What every options validator does alike: collect one failure per bad key, each naming the key
/// (<c>Pipeline:UploadConcurrency: 0 must be between 1 and 64</c>), and report them all at once.
/// </summary>
internal static class OptionsFailures
{
    /// <summary>Adds "<paramref name="key"/>: value must be between min and max" when the value is outside, with the note in brackets.</summary>
    public static void AddUnlessBetween<T>(this List<string> failures, string key, T value, T min, T max, string? note = null)
        where T : INumber<T>
    {
        if (value < min || value > max)
        {
            failures.Add(note is null
                ? $"{key}: {value} must be between {min} and {max}"
                : $"{key}: {value} must be between {min} and {max} ({note})");
        }
    }

    /// <summary>
    /// Adds "<paramref name="key"/>: value must be <paramref name="range"/>" when the value is outside [min, max]:
    /// for what has no arithmetic (a <see cref="TimeSpan"/>), with the range said in words ("from 0.5 s to a day").
    /// </summary>
    public static void AddUnlessWithin<T>(this List<string> failures, string key, T value, T min, T max, string range)
        where T : IComparable<T>
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            failures.Add($"{key}: {value} must be {range}");
        }
    }

    public static ValidateOptionsResult ToResult(this List<string> failures)
        => failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
}
