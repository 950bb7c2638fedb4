namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// The slice of LlamaCloud the use cases need. Calls that create something carry no idempotency key
/// (docs/llamacloud-api.md §1.4), so callers reconcile by listing before they create again. Deletes
/// answer true when they removed something and false when it was already gone (a 404 counts as done).
/// </summary>
internal interface IBatchApi
{
    Task<RemoteDirectory> CreateDirectoryAsync(string name, CancellationToken cancellationToken);

    /// <summary>An ephemeral directory expires on its own (per-run layout); a user directory lives until deleted (mirror layout).</summary>
    Task<RemoteDirectory> CreateDirectoryAsync(string name, bool ephemeral, CancellationToken cancellationToken);

    Task<RemoteDirectory?> FindDirectoryByNameAsync(string name, CancellationToken cancellationToken);

    Task<RemoteDirectoryFile> UploadFileAsync(string directoryId, FileUpload upload, CancellationToken cancellationToken);

    Task<RemoteDirectoryFile?> FindFileByUniqueIdAsync(string directoryId, string uniqueId, CancellationToken cancellationToken);

    /// <summary>Every file a directory holds now (deleted ones left out), page after page.</summary>
    Task<IReadOnlyList<RemoteDirectoryFile>> ListDirectoryFilesAsync(string directoryId, CancellationToken cancellationToken);

    Task<RemoteDirectory> GetDirectoryAsync(string directoryId, CancellationToken cancellationToken);

    Task<RemoteDirectoryFile> GetDirectoryFileAsync(string directoryId, string directoryFileId, CancellationToken cancellationToken);

    /// <summary>Removes a file from a directory; a file already gone counts as removed.</summary>
    Task<bool> DeleteDirectoryFileAsync(string directoryId, string directoryFileId, CancellationToken cancellationToken);

    /// <summary>Deletes a stored file (the <c>file_id</c> behind a directory file).</summary>
    Task<bool> DeleteStoredFileAsync(string fileId, CancellationToken cancellationToken);

    Task<bool> DeleteDirectoryAsync(string directoryId, CancellationToken cancellationToken);

    Task<RemoteBatch> CreateBatchAsync(CreateBatchRequest request, CancellationToken cancellationToken);

    Task<IReadOnlyList<RemoteBatch>> ListBatchesForDirectoryAsync(string directoryId, CancellationToken cancellationToken);

    Task<RemoteBatch> GetBatchAsync(string batchId, bool expandResults, CancellationToken cancellationToken);

    Task<RemoteBatch> CancelBatchAsync(string batchId, CancellationToken cancellationToken);

    Task<ParseJobResult> GetParseJobAsync(string jobId, IReadOnlyList<string> expand, CancellationToken cancellationToken);

    Task<ExtractJob> GetExtractJobAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Stops a parse job (<c>POST /api/v2/parse/{id}/cancel</c>); one already terminal is refused (409).</summary>
    Task<ProductJob> CancelParseJobAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Stops an extract job (<c>POST /api/v2/extract/{id}/cancel</c>); one already terminal is refused.</summary>
    Task<ExtractJob> CancelExtractJobAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>A saved configuration (docs/llamacloud-api.md §8); a built-in preset may not be readable (404).</summary>
    Task<RemoteConfiguration> GetConfigurationAsync(string configurationId, CancellationToken cancellationToken);

    /// <summary>One page of the parse jobs named, in one request (<c>GET /api/v2/parse?job_ids=…</c>).</summary>
    Task<CursorPage<ProductJob>> ListParseJobsAsync(IReadOnlyList<string> jobIds, string? pageToken, CancellationToken cancellationToken);

    /// <summary>One page of the extract jobs named, in one request (<c>GET /api/v2/extract?job_ids=…</c>).</summary>
    Task<CursorPage<ExtractJob>> ListExtractJobsAsync(IReadOnlyList<string> jobIds, string? pageToken, CancellationToken cancellationToken);

    /// <summary>Deletes a finished parse job and its results (a running one is refused: cancel it first).</summary>
    Task<bool> DeleteParseJobAsync(string jobId, CancellationToken cancellationToken);

    Task<bool> DeleteExtractJobAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Creates a parse job over a stored file (the credit probe's request); answers the flat job.</summary>
    Task<ProductJob> CreateParseJobAsync(CreateParseJobRequest request, CancellationToken cancellationToken);

    Task<V1BatchJob> CreateV1BatchAsync(V1CreateRequest request, CancellationToken cancellationToken);

    /// <summary>One page of v1 jobs, optionally of one directory; the order is not documented.</summary>
    Task<V1Page<V1BatchJob>> ListV1BatchesAsync(string? directoryId, string jobType, int limit, int offset, CancellationToken cancellationToken);

    Task<V1BatchJobStatus> GetV1BatchAsync(string jobId, CancellationToken cancellationToken);

    Task<V1Page<V1Item>> ListV1ItemsAsync(string jobId, int limit, int offset, CancellationToken cancellationToken);

    /// <summary>The classifications of a v1 classify item's classifier job (its <c>job_id</c>).</summary>
    Task<ClassifierResults> GetClassifierResultsAsync(string classifyJobId, CancellationToken cancellationToken);

    Task<V1CancelResponse> CancelV1BatchAsync(string jobId, CancellationToken cancellationToken);
}
