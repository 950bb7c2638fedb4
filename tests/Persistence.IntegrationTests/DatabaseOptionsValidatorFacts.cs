using BatchOrchestrator.Persistence.Jobs;

namespace BatchOrchestrator.Persistence.IntegrationTests;

public sealed class DatabaseOptionsValidatorFacts
{
    [Fact]
    public void AConnectionStringThatDoesNotParse_IsRefused_NamingTheKeyButNotTheString()
    {
        var options = new DatabaseOptions { ConnectionString = "Host=db;Password=s3cret;Bogus Keyword=1" };

        var failure = Assert.Single(new DatabaseOptionsValidator().Validate(null, options).Failures!);

        Assert.Equal("Database:ConnectionString: not a valid PostgreSQL connection string", failure);
        Assert.DoesNotContain("s3cret", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void BadEmbeddedSettings_AreEachRefused_NamingTheirKeys()
    {
        var options = new DatabaseOptions { Embedded = new EmbeddedPostgresOptions { DataDirectory = "", Port = 70_000, RunAsUser = "" } };

        var failures = new DatabaseOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(3, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Database:Embedded:DataDirectory: ", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Database:Embedded:Port: 70000 ", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Database:Embedded:RunAsUser: ", StringComparison.Ordinal));
    }

    [Fact]
    public void TheDefaults_AndAWellFormedConnectionString_AreAccepted()
    {
        Assert.True(new DatabaseOptionsValidator().Validate(null, new DatabaseOptions()).Succeeded);
        Assert.True(new DatabaseOptionsValidator().Validate(null, new DatabaseOptions { ConnectionString = "Host=db;Username=bo;Password=x" }).Succeeded);
    }

    [Fact]
    public void HangfireStorageTimings_OfZero_AreRefused_NamingTheirKeys()
    {
        var options = new JobStorageOptions { QueuePollInterval = TimeSpan.Zero, InvisibilityTimeout = TimeSpan.Zero, DistributedLockTimeout = TimeSpan.FromMilliseconds(10) };

        var failures = new JobStorageOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(
            ["Hangfire:Storage:QueuePollInterval:", "Hangfire:Storage:InvisibilityTimeout:", "Hangfire:Storage:DistributedLockTimeout:"],
            failures.Select(f => f[..(f.IndexOf(": ", StringComparison.Ordinal) + 1)]));
        Assert.True(new JobStorageOptionsValidator().Validate(null, new JobStorageOptions()).Succeeded);
    }
}
