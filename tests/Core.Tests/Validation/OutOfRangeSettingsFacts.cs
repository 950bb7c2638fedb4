namespace BatchOrchestrator.Core.Tests.Validation;

/// <summary>
/// A duration start-up takes must be one the code can use: Polly refuses an attempt timeout outside 10 ms to a day, and
/// .NET's timers one past 49.7 days, each at its first use, from inside a call or a background service, naming no key.
/// </summary>
public sealed class OutOfRangeSettingsFacts : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("bo-range-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("LlamaCloud:AttemptTimeout", "2.00:00:00", "LlamaCloud:AttemptTimeout: 2.00:00:00 must be more than 10 ms and less than a day")]
    [InlineData("LlamaCloud:AttemptTimeout", "00:00:00.005", "LlamaCloud:AttemptTimeout: 00:00:00.0050000 must be more than 10 ms and less than a day")]
    [InlineData("Polling:IdleCheckInterval", "60.00:00:00", "Polling:IdleCheckInterval: 60.00:00:00 must be at most a day (1.00:00:00)")]
    public void ADurationTheCodeCannotUse_IsRefusedAtStartUp_NamingItsKey(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Sources:0:Name"] = "inbox", ["Sources:0:Path"] = folder, [key] = value };

        Assert.Contains(expected, StartupChecks.Failures(settings)); // a short timeout is also under MaxInProcessRetryWait's 30 s
    }

    [Theory]
    [InlineData("LlamaCloud:AttemptTimeout", "23:00:00")]
    [InlineData("Polling:IdleCheckInterval", "1.00:00:00")]
    public void ADurationWithinReach_Passes(string key, string value) =>
        Assert.Empty(StartupChecks.Failures(new Dictionary<string, string?> { ["Sources:0:Name"] = "inbox", ["Sources:0:Path"] = folder, [key] = value }));
}
