using BatchOrchestrator.Core.Operations;

namespace BatchOrchestrator.Core.Tests.Operations;

/// <summary>What an operator types for a reprocess, read back to them as it will be applied.</summary>
public sealed class ReprocessFilterFacts
{
    [Theory]
    [InlineData("2026-05-01T18:00:00+02:00", "processed before 2026-05-01 16:00 UTC")]
    [InlineData("2026-05-01", "processed before 2026-05-01 00:00 UTC")]
    public void ADateWithAnOffset_IsSaidInUtc_AsItIsCompared(string before, string said)
    {
        var filter = ReprocessFilter.Parse(null, before);

        Assert.Equal(said, filter.ToString());
        Assert.Equal(DateTimeOffset.Parse(before, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal), filter.ProcessedBefore);
    }

    [Theory]
    [InlineData(null, "notadate", "--before: 'notadate' is not a date (2026-05-01, or 2026-05-01T18:00:00+02:00)")]
    [InlineData("../x", null, "--filter")]
    [InlineData("[", null, "--filter: '[' uses '[', which is not a wildcard here")]
    public void WhatCannotBeRead_IsRefused_InOnePlainSentence(string? glob, string? before, string start)
    {
        var refusal = Assert.Throws<ArgumentException>(() => ReprocessFilter.Parse(glob, before));

        Assert.StartsWith(start, refusal.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", refusal.Message, StringComparison.Ordinal); // what an operator reads is the whole message
    }
}
