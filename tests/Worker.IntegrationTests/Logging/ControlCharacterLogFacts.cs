using Serilog.Formatting.Display;

namespace BatchOrchestrator.Worker.IntegrationTests.Logging;

/// <summary>
/// A file name may hold any character but '/'. One the scan warns about, with a line break and a made-up log line after
/// it, or a terminal's escape sequence, stays inside its own line in the text format (docs/operations.md, "Logs").
/// </summary>
public sealed class ControlCharacterLogFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    private static readonly MessageTemplateTextFormatter Text = new(WorkerLogging.TextTemplate, CultureInfo.InvariantCulture);

    [Fact]
    public async Task AFileNameWithALineBreak_StaysOneLineInTheTextFormat_WhenTheScanWarnsAboutIt()
    {
        await File.WriteAllTextAsync(Path.Combine(Env.Inbox, "report\n[12:00:00 ERR] Every batch was deleted\u001b[2K.pdf"), "not a PDF at all", Ct);
        var logs = new CapturingSink();

        var (exitCode, _) = await WorkerHost.RunVerbAsync(Env.Root, Env.VerbSettings("scan", TestEnvironment.SourceName), logs);

        Assert.Equal(0, exitCode);
        var warning = Assert.Single(logs.Events, e => e.MessageTemplate.Text.StartsWith("Pages of", StringComparison.Ordinal));
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Text.Format(warning, writer);
        var line = writer.ToString();
        Assert.Equal(line.Length - 1, line.IndexOf('\n', StringComparison.Ordinal)); // its own end only
        Assert.DoesNotContain('\u001b', line);
        Assert.Contains(@"report\n[12:00:00 ERR] Every batch was deleted\u001b[2K.pdf", line, StringComparison.Ordinal);
    }
}
