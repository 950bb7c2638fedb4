namespace BatchOrchestrator.Sandbox.Tests.Hosting;

public sealed class OptionsValidationFacts
{
    [Fact]
    public async Task StartAsync_RefusesBadOptions_NamingEveryBadKey()
    {
        var options = new SandboxOptions { StepDelay = TimeSpan.Zero, FilesMappedPerStep = 0 };
        options.Faults.ErrorRate = 1.5;
        options.Faults.FailFilesMatching = "([";
        options.RateLimits["everything"] = new SandboxRateLimit { PermitLimit = 1 };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => SandboxServer.StartAsync(options, Ct));

        Assert.Contains("Sandbox:StepDelay", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sandbox:FilesMappedPerStep", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sandbox:Faults:ErrorRate", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sandbox:Faults:FailFilesMatching", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sandbox:RateLimits:everything", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_NeverPutsTheApiKeyInAnError()
    {
        var options = new SandboxOptions { ApiKey = "llx-very-secret", StepDelay = TimeSpan.Zero };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => SandboxServer.StartAsync(options, Ct));

        Assert.DoesNotContain("llx-very-secret", error.Message, StringComparison.Ordinal);
    }
}
