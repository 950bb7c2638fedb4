namespace BatchOrchestrator.Core.Tests.Sources;

/// <summary>A source's cron schedule: what the scheduler reads, and how a value it would refuse is named at start-up.</summary>
public sealed class SourceScheduleFacts : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("bo-validator-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("0 2 * * *", true)]
    [InlineData("*/10 * * * * *", true)]
    [InlineData("0 2 * *", false)]
    [InlineData("0 2 * * * * *", false)]
    [InlineData("0 2 * * MON;", false)]
    [InlineData("@daily", false)] // Hangfire refuses what is not 5 or 6 fields, though Cronos reads it
    [InlineData("@hourly", false)]
    public void CronSchedule_AcceptsFiveOrSixFields(string expression, bool valid)
    {
        Assert.Equal(valid, CronSchedule.Validate(expression) is null);
    }

    [Theory]
    [InlineData("61 * * * *", "Minutes: Value must be a number between 0 and 59")]
    [InlineData("0 24 * * *", "Hours: Value must be a number between 0 and 23")]
    [InlineData("0 0 32 * *", "Days of month: Value must be a number between 1 and 31")]
    [InlineData("0 0 * 13 *", "Months: Value must be a number between 1 and 12")]
    [InlineData("60 0 0 * * *", "Seconds: Value must be a number between 0 and 59")]
    public void AScheduleWithAValueOutOfRange_IsRefused_NamingTheKey_AsHangfireWouldRefuseItAtRegistration(string expression, string reason)
    {
        var options = new SourcesOptions { Sources = [new SourceOptions { Name = "invoices", Path = folder, Schedule = expression }] };

        var failure = Assert.Single(new SourcesOptionsValidator().Validate(null, options).Failures!);

        Assert.StartsWith($"Sources:0:Schedule: '{expression}' is not a valid cron expression: ", failure, StringComparison.Ordinal);
        Assert.Contains(reason, failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0 2 30 2 *")]
    [InlineData("0 2 31 2 *")]
    [InlineData("0 2 31 4,6,9,11 *")]
    [InlineData("0 0 2 31 2 *")]
    public void AScheduleOnADayItsMonthsNeverHave_IsRefused_NamingTheKey_RatherThanNeverRunningTheSource(string expression)
    {
        var options = new SourcesOptions { Sources = [new SourceOptions { Name = "invoices", Path = folder, Schedule = expression }] };

        var failure = Assert.Single(new SourcesOptionsValidator().Validate(null, options).Failures!);

        Assert.Equal($"Sources:0:Schedule: '{expression}' never fires: no month it names has that day of the month (30 or 31 February, 31 April, ...)", failure);
    }

    [Theory]
    [InlineData("0 2 29 2 *")] // every fourth year: rare, but it fires
    [InlineData("0 2 31 * *")] // the months that have a 31st
    [InlineData("0 2 30 1-3 *")]
    public void AScheduleThatFiresRarely_IsAccepted(string expression)
    {
        Assert.Null(CronSchedule.Validate(expression));
    }

    [Fact]
    public void AMacroSchedule_IsRefused_SayingWhatToWriteInstead()
    {
        Assert.Equal("is a macro, which the scheduler does not read (it takes 5 or 6 fields): write @daily as 0 0 * * *, @hourly as 0 * * * *", CronSchedule.Validate("@daily"));
    }

    [Theory]
    [InlineData("0 0 L * *")]
    [InlineData("0 9 * * MON-FRI")]
    [InlineData("0 0 ? * 1#2")]
    [InlineData("*/15 8-18 * JAN,JUL *")]
    public void ASchedule_WithCronosSpecialCharacters_IsAccepted(string expression)
    {
        Assert.Null(CronSchedule.Validate(expression));
    }
}
