namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// The FileSystem sink's setting, read from the "FollowUp" section (<c>FollowUp:OutputPath</c>). Kept
/// apart from <see cref="FollowUpOptions"/> because that one's validator asks the sinks for their names.
/// </summary>
public sealed class FileSystemSinkOptions
{
    /// <summary>Root of the mirror, relative to the content root: each source writes into &lt;OutputPath&gt;/&lt;source name&gt; unless it sets its own OutputPath.</summary>
    public string OutputPath { get; set; } = "output";
}
