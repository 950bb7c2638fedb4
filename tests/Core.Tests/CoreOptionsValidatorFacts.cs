using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Core.Leases;
using Microsoft.Extensions.Configuration;

namespace BatchOrchestrator.Core.Tests;

/// <summary>Core's sections validated beside their use: a bad value is refused naming its key; the defaults pass.</summary>
public sealed class CoreOptionsValidatorFacts
{
    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:00.500")]
    [InlineData("-00:01:00")]
    [InlineData("01:00:01")]
    [InlineData("150.00:00:00")]
    public void ALeaseTimeToLiveUnderASecondOrOverAnHour_IsRefused_NamingTheKey(string timeToLive)
    {
        var result = new LeaseOptionsValidator().Validate(null, new LeaseOptions { TimeToLive = TimeSpan.Parse(timeToLive, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.StartsWith("Leases:TimeToLive: ", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void TheDefaultTimeToLive_AndOneSecond_AreAccepted()
    {
        Assert.True(new LeaseOptionsValidator().Validate(null, new LeaseOptions()).Succeeded);
        Assert.True(new LeaseOptionsValidator().Validate(null, new LeaseOptions { TimeToLive = TimeSpan.FromSeconds(1) }).Succeeded);
        Assert.True(new LeaseOptionsValidator().Validate(null, new LeaseOptions { TimeToLive = TimeSpan.FromHours(1) }).Succeeded);
    }

    [Fact]
    public void AnEmptyFileSystemSinkOutputPath_IsRefused_NamingTheKey()
    {
        Assert.Equal(["FollowUp:OutputPath: is required"], new FileSystemSinkOptionsValidator().Validate(null, new FileSystemSinkOptions { OutputPath = " " }).Failures);
        Assert.True(new FileSystemSinkOptionsValidator().Validate(null, new FileSystemSinkOptions()).Succeeded);
    }

    [Theory]
    [InlineData("HoldFor", "-00:00:01", "FollowUp:HoldFor: ")]
    [InlineData("HoldAtMost", "01:00:00", "FollowUp:HoldAtMost: ")]
    [InlineData("MaxHolding", "-1", "FollowUp:MaxHolding: ")]
    [InlineData("HeldLeaseWait", "00:05:00", "FollowUp:HeldLeaseWait: ")]
    public void AFollowUpHoldOutOfRange_IsRefused_NamingTheKey(string key, string value, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [$"FollowUp:{key}"] = value }).Build();
        var options = configuration.GetSection(FollowUpOptions.SectionName).Get<FollowUpOptions>()!;
        var validator = new FollowUpOptionsValidator([], configuration);

        Assert.StartsWith(expected, Assert.Single(validator.Validate(null, options).Failures!), StringComparison.Ordinal);
        Assert.True(validator.Validate(null, new FollowUpOptions()).Succeeded);
    }
}
