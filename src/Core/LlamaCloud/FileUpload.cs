namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// One multipart upload into a directory. <paramref name="Content"/> must be seekable if the request
/// may be retried (a 429 is retried even for creates: the server refused it before acting).
/// <paramref name="Lane"/> says whose share of the project's upload pace it takes (none: the default lane).
/// </summary>
internal sealed record FileUpload(
    Stream Content,
    string FileName,
    string UniqueId,
    string DisplayName,
    IReadOnlyDictionary<string, string>? Metadata = null,
    UploadLane? Lane = null);
