namespace BatchOrchestrator.Core.Tests.Lifecycle;

public sealed class RetryRuleFacts
{
    private static readonly RetryRule ThreeAttempts = new(MaxAttempts: 3);

    [Theory]
    [InlineData(nameof(FailureClass.Transient), 0, true)]
    [InlineData(nameof(FailureClass.Transient), 2, true)]
    [InlineData(nameof(FailureClass.Transient), 3, false)]
    [InlineData(nameof(FailureClass.Throttled), 1, true)]
    [InlineData(nameof(FailureClass.Throttled), 3, false)]
    [InlineData(nameof(FailureClass.Auth), 0, false)]
    [InlineData(nameof(FailureClass.Permanent), 0, false)]
    public void Retries_TransientAndThrottledFailures_BelowMaxAttempts_AndNeverAuthOrPermanent(string failure, int attempts, bool retried) =>
        Assert.Equal(retried, ThreeAttempts.Retries(Enum.Parse<FailureClass>(failure), attempts));

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void EveryClass_IsRetriedUpToMaxAttemptsIfTransientOrThrottled_AndOtherwiseNever(int maxAttempts)
    {
        var rule = new RetryRule(maxAttempts);
        foreach (var failure in Enum.GetValues<FailureClass>())
        {
            var retried = failure is FailureClass.Transient or FailureClass.Throttled;
            Assert.Equal(retried, rule.Retries(failure, attempts: maxAttempts - 1));
            Assert.False(rule.Retries(failure, attempts: maxAttempts), $"{failure} retried after its last attempt");
            Assert.Equal(retried ? maxAttempts : 0, rule.AttemptLimit(failure));
        }
    }

    [Fact]
    public void Retries_NoFailureWithoutAClass() =>
        Assert.False(ThreeAttempts.Retries(null, 0));

    [Fact]
    public void TheRetriedClasses_AreTransientAndThrottled() =>
        Assert.Equal([FailureClass.Transient, FailureClass.Throttled], RetryRule.RetriedClasses);

    [Fact]
    public void AnOperatorsRetry_LeavesEachClassAPersonMustClearAlone_UnlessForcedForThatClass()
    {
        Assert.Equal([FailureClass.Permanent, FailureClass.Unconfirmed], RetryRule.LeftAloneByOperatorRetry(ForcedRetry.None));
        Assert.Equal([FailureClass.Unconfirmed], RetryRule.LeftAloneByOperatorRetry(ForcedRetry.Permanent));
        Assert.Equal([FailureClass.Permanent], RetryRule.LeftAloneByOperatorRetry(ForcedRetry.Unconfirmed(12)));
        Assert.Empty(RetryRule.LeftAloneByOperatorRetry(new ForcedRetry(IncludePermanent: true, UnconfirmedBatch: 12)));
    }

    [Fact]
    public void AFileOfABatchThatFailedAsAWhole_IsRetriedUntilItsLastAttempt()
    {
        // The batch counts as an attempt first: with MaxAttempts 3 the third failed batch ends the file.
        var unreported = FileVersionLifecycle.Unreported(BatchState.Failed);
        Assert.True(ThreeAttempts.Retries(unreported.ErrorClass, attempts: 2));
        Assert.False(ThreeAttempts.Retries(unreported.ErrorClass, attempts: 3));
    }
}
