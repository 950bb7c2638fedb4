namespace BatchOrchestrator.Core.FollowUp;

/// <summary>Checks the FileSystem sink's key of the "FollowUp" section.</summary>
internal sealed class FileSystemSinkOptionsValidator : IValidateOptions<FileSystemSinkOptions>
{
    public ValidateOptionsResult Validate(string? name, FileSystemSinkOptions options) =>
        string.IsNullOrWhiteSpace(options.OutputPath)
            ? ValidateOptionsResult.Fail($"{FollowUpOptions.SectionName}:OutputPath: is required")
            : ValidateOptionsResult.Success;
}
