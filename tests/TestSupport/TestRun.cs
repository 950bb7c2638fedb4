namespace BatchOrchestrator.TestSupport;

/// <summary>What every test reaches for, imported statically by the test projects (their csproj files).</summary>
public static class TestRun
{
    /// <summary>The running test's token: cancelled when the test times out or the run is aborted.</summary>
    public static CancellationToken Ct => TestContext.Current.CancellationToken;
}
