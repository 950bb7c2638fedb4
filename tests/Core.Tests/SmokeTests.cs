namespace BatchOrchestrator.Core.Tests;
public sealed class SmokeTests
{
    [Fact]
    public void Works() => Assert.Equal(2, 1 + 1);
}
