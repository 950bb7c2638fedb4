using System.Reflection;

namespace BatchOrchestrator.Worker.IntegrationTests.Security;

/// <summary>
/// docs/reliability.md §4.3 S3: Hangfire stores job arguments in plain text and shows them on the
/// dashboard, so a job method takes ids and small keys only, never a secret or an options object.
/// </summary>
[Collection(ChildProcesses.Collection)]
public sealed class JobSignatureFacts
{
    private static readonly Type[] Allowed = [typeof(long), typeof(string), typeof(RunTrigger), typeof(CancellationToken)];
    private static readonly string[] SecretWords = ["key", "secret", "password", "token", "credential", "connection", "options", "settings"];

    [Fact]
    public void EveryJobMethod_TakesIdsOnly()
    {
        var jobs = typeof(PollBatchesJob).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(PollBatchesJob).Namespace && t.Name.EndsWith("Job", StringComparison.Ordinal))
            .ToList();
        var parameters = jobs
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .SelectMany(m => m.GetParameters().Select(p => (Method: $"{m.DeclaringType!.Name}.{m.Name}", Parameter: p)))
            .ToList();

        Assert.True(jobs.Count >= 6, string.Join(", ", jobs.Select(j => j.Name))); // run, upload, submit, poll, record, follow-up
        Assert.All(parameters, p =>
        {
            Assert.Contains(p.Parameter.ParameterType, Allowed);
            if (p.Parameter.ParameterType != typeof(CancellationToken))
            {
                Assert.DoesNotContain(SecretWords, word => p.Parameter.Name!.Contains(word, StringComparison.OrdinalIgnoreCase));
            }
        });
    }
}
