using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Core.Leases;

namespace BatchOrchestrator.Core.Tests;

/// <summary>Core's sections validated beside their use: a bad value is refused naming its key; the defaults pass.</summary>
public sealed class CoreOptionsValidatorFacts
{
    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:00.500")]
    [InlineData("-00:01:00")]
    public void ALeaseTimeToLiveUnderASecond_IsRefused_NamingTheKey(string timeToLive)
    {
        var result = new LeaseOptionsValidator().Validate(null, new LeaseOptions { TimeToLive = TimeSpan.Parse(timeToLive, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.StartsWith("Leases:TimeToLive: ", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void TheDefaultTimeToLive_AndOneSecond_AreAccepted()
    {
        Assert.True(new LeaseOptionsValidator().Validate(null, new LeaseOptions()).Succeeded);
        Assert.True(new LeaseOptionsValidator().Validate(null, new LeaseOptions { TimeToLive = TimeSpan.FromSeconds(1) }).Succeeded);
    }

    [Fact]
    public void AnEmptyFileSystemSinkOutputPath_IsRefused_NamingTheKey()
    {
        Assert.Equal(["FollowUp:OutputPath: is required"], new FileSystemSinkOptionsValidator().Validate(null, new FileSystemSinkOptions { OutputPath = " " }).Failures);
        Assert.True(new FileSystemSinkOptionsValidator().Validate(null, new FileSystemSinkOptions()).Succeeded);
    }
}
