using BatchOrchestrator.Core.Cleanup;

namespace BatchOrchestrator.Core.Tests.Cleanup;

/// <summary>The retention setting: its forms, the global default a source overrides, and the keys bad values name.</summary>
public sealed class RetentionFacts : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("bo-retention-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("Off", null)]
    [InlineData("off", null)]
    [InlineData("Immediately", "00:00:00")]
    [InlineData("7d", "7.00:00:00")]
    [InlineData("00:30:00", "00:30:00")]
    public void TryParse_ReadsEveryDocumentedForm(string text, string? after)
    {
        Assert.True(Retention.TryParse(text, new Retention(TimeSpan.FromDays(99)), out var retention));

        Assert.Equal(after is null ? null : TimeSpan.Parse(after, System.Globalization.CultureInfo.InvariantCulture), retention.After);
    }

    [Fact]
    public void TryParse_KeepsTheGlobalDefault_WhenASourceSetsNothing()
    {
        var global = new Retention(TimeSpan.FromDays(7));

        Assert.True(Retention.TryParse(null, global, out var unset));
        Assert.True(Retention.TryParse("Off", global, out var off));

        Assert.Equal(global, unset);
        Assert.True(off.IsOff);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-1d")]
    [InlineData("-00:05:00")]
    [InlineData("4000d")]
    public void Validators_StopStartUp_NamingTheKey(string bad)
    {
        var global = new RemoteCleanupOptionsValidator().Validate(null, new RemoteCleanupOptions { Retention = bad });
        var perSource = new SourcesOptionsValidator().Validate(null, new SourcesOptions
        {
            Sources = [new SourceOptions { Name = "invoices", Path = folder, RemoteRetention = bad }],
        });

        Assert.Contains(global.Failures!, f => f.StartsWith($"RemoteCleanup:Retention: '{bad}' must be Off, Immediately", StringComparison.Ordinal));
        Assert.Contains(perSource.Failures!, f => f.StartsWith($"Sources:0:RemoteRetention: '{bad}' must be Off, Immediately", StringComparison.Ordinal));
    }
}
