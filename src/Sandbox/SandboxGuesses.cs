namespace BatchOrchestrator.Sandbox;

/// <summary>
/// The Sandbox's answers where no public source says what LlamaCloud does (docs/llamacloud-api.md §11).
/// Each is a choice a client must survive, so each can be set to every plausible alternative and the
/// client tested against all of them. Section <c>Sandbox:Guesses</c>.
/// </summary>
public sealed class SandboxGuesses
{
    /// <summary>The status codes a refusal of unknown code may take: 400, 409 or 422.</summary>
    public static readonly IReadOnlyList<int> RefusalCodes = [400, 409, 422];

    /// <summary>Status of creating a directory whose name the project already has (400, 409 or 422).</summary>
    public int DuplicateDirectoryStatus { get; set; } = 409;

    /// <summary>Status of creating a batch over a directory of more than <c>MaxBatchFiles</c> files (400, 409 or 422).</summary>
    public int TooManyBatchFilesStatus { get; set; } = 400;

    /// <summary>Status of cancelling a batch (v2 or v1), or a parse or extract job, that is already terminal (400, 409 or 422).</summary>
    public int CancelTerminalStatus { get; set; } = 409;

    /// <summary>
    /// A failed page of a partly parsed job is listed in <c>expand=text</c> with empty text. False (default): it is left
    /// out. The SDK's text page (<c>page_number</c>, <c>text</c>) has no way to say a page failed, unlike the markdown,
    /// items and forms pages (docs/llamacloud-api.md §6.2), so a client learns failed pages from those, never from text.
    /// </summary>
    public bool ListFailedTextPages { get; set; }

    /// <summary>
    /// Status of asking a fast-tier parse job for <c>markdown</c>, <c>markdown_full</c> or <c>items</c>, which that tier does not
    /// make: 400 (default), 422, or 200, which answers without those fields. The SDK types each as optional, returned "if
    /// requested", and says nothing of a refusal (TS SDK 2.16.0 <c>resources/parsing.d.ts</c>; docs/llamacloud-api.md §6.2).
    /// </summary>
    public int FastTierMarkdownStatus { get; set; } = 400;

    /// <summary>
    /// Accept the preset ids guessed from the tier names (<c>cfg-PARSE_FAST</c>, <c>cfg-PARSE_COST_EFFECTIVE</c>,
    /// <c>cfg-PARSE_AGENTIC_PLUS</c>) besides the one documented preset, <c>cfg-PARSE_AGENTIC</c>.
    /// </summary>
    public bool AcceptUndocumentedPresets { get; set; }

    /// <summary>
    /// An extract configuration (inline on <c>POST /api/v2/extract</c>, or saved) whose <c>parse_config_id</c> names no parse
    /// configuration of the project, neither a preset nor a saved <c>parse_v2</c> one, is refused (422 <c>value_error</c>), as
    /// a <c>configuration_id</c> naming none is. The SDK says only "Saved parse configuration ID" (TS SDK 2.16.0
    /// <c>resources/extract.d.ts</c>); the service might instead take the request and fail the job. False: any string is taken.
    /// </summary>
    public bool RefuseUnknownParseConfigId { get; set; } = true;

    /// <summary>
    /// Share (0 to 1; 1 = always) of answers from which the optional response fields are left out, each
    /// field deciding on its own: fields the SDK's types mark optional (<c>?:</c>) may be absent, and a
    /// client must not depend on them.
    /// </summary>
    public double OmitOptionalFieldsRate { get; set; }

    /// <summary>The optional fields that may be left out (names as on the wire); empty: every one the Sandbox knows.</summary>
    public IList<string> OmitOptionalFields { get; set; } = [];

    /// <summary>
    /// The optional fields picked by <see cref="OmitOptionalFieldsRate"/> are written as <c>null</c> instead of
    /// left out, wherever the SDK types them <c>?: T | null</c>: both answers are what the types allow, and a
    /// client must read either. Fields typed <c>?: T</c> (never null) are still left out.
    /// </summary>
    public bool OptionalFieldsAsNull { get; set; }

    /// <summary>
    /// An empty <c>webhook_events</c> in a create's inline <c>webhook_configurations[]</c> is refused (422), as the SDK documents
    /// for saved webhook configurations only. False (default): the types allow it, and it subscribes to nothing.
    /// </summary>
    public bool RefuseEmptyInlineWebhookEvents { get; set; }

    /// <summary>
    /// A JSON create body (directory, v2 batch, parse and the parse upload's configuration, extract, configuration, webhook
    /// configuration, v1 batch), or an add or update one (directory, directory file, configuration, webhook configuration), with a
    /// top-level field its SDK type lacks is refused (422 <c>extra_forbidden</c>), as a pydantic model with
    /// <c>extra="forbid"</c> would. False (default): ignored, pydantic's default; the service's choice is not documented.
    /// </summary>
    public bool RefuseUnknownBodyFields { get; set; }

    /// <summary>
    /// A v2 batch list filtered by a <c>source_directory_id</c> the project no longer has is answered 404, as a create over
    /// it is, rather than with the batches made over it before it went (the default): whether the filter checks the
    /// directory is undocumented (docs/llamacloud-api.md §2.4).
    /// </summary>
    public bool BatchListOfGoneDirectoryNotFound { get; set; }

    /// <summary>The v1 batch-processing list's order, which the SDK does not document: newest first (default) or oldest first.</summary>
    public bool V1ListOldestFirst { get; set; }

    /// <summary>
    /// The largest <c>limit</c> of the v1 batch-processing lists (jobs and items), which no SDK states: 1,000, the cap the
    /// files list documents (docs/llamacloud-api.md §1.3).
    /// </summary>
    public int V1ListMaxLimit { get; set; } = 1000;

    /// <summary>
    /// A v1 list <c>limit</c> above <see cref="V1ListMaxLimit"/> is refused (422 <c>less_than_equal</c> at
    /// <c>["query", "limit"]</c>, as FastAPI refuses a query parameter over its bound); false: coerced down to it, as the
    /// deprecated files query documents for its <c>page_size</c>.
    /// </summary>
    public bool V1ListRefusesOverLimit { get; set; } = true;

    /// <summary>A v1 classify <c>job_config.project_id</c> must name the project the request acts in.</summary>
    public bool V1ClassifyProjectMustMatch { get; set; } = true;

    /// <summary>A v1 classify <c>job_config.id</c> must be a UUID (the Go SDK once typed it so; TypeScript 2.13.0 says string).</summary>
    public bool V1ClassifyIdMustBeUuid { get; set; }

    /// <summary>
    /// A parse, extract or v1 job over a <c>.pdf</c> whose first 1,024 bytes hold no <c>%PDF-</c> header fails, with an
    /// <c>error_message</c>, as LlamaCloud's jobs over documents it cannot read end in an error (docs/llamacloud-api.md
    /// §11, #17). False: such a file is parsed as any other binary file.
    /// </summary>
    public bool FailUnreadablePdf { get; set; } = true;

    /// <summary>
    /// A parse <c>page_ranges.target_pages</c> naming a page twice (<c>1,1</c>, <c>1-5,3</c>) is refused (422
    /// <c>value_error</c>): its doc comment says both "Pages are sorted and deduplicated automatically" and "Duplicate
    /// pages cause an error" (TS SDK 2.16.0 <c>resources/parsing.d.ts</c> <c>PageRanges</c>). False: duplicates are
    /// taken. Extract's and classify's <c>target_pages</c> say nothing of duplicates and always take them.
    /// </summary>
    public bool RefuseDuplicateTargetPages { get; set; } = true;

    /// <summary>
    /// A JSON body sent without a <c>Content-Type</c> is not read as JSON (422 <c>model_attributes_type</c> at <c>["body"]</c>),
    /// as FastAPI's newer releases refuse it by default (<c>strict_content_type</c>); older ones read it as JSON (default:
    /// false). Which the service runs is not documented. A body under a type that is not JSON is refused either way.
    /// </summary>
    public bool RefuseJsonWithoutContentType { get; set; }

    /// <summary>
    /// Reads of a job's usage (<c>expand=usage</c>) after it ended that still find its bill unrecorded
    /// (<c>usage.credits</c> null), counting down per job; from the next read on, the bill is there. The SDK says the
    /// credits are "Null until billing has recorded it" and not how long after the job ends that is (docs/costs.md,
    /// "Late bills"). 0 (default): recorded as the job ends.
    /// </summary>
    public int UsageRecordedAfterReads { get; set; }

    /// <summary>
    /// A parse or extract job that fails is billed as if it had completed, every page at its tier. No source says whether a
    /// failed job bills the pages it parsed before failing (one fails only once more than its allowed share of pages
    /// failed, docs/llamacloud-api.md §6.2); billing them all is the most it could. False (default): a failed job bills 0.
    /// </summary>
    public bool BillFailedJobs { get; set; }

    /// <summary>
    /// A v1 parse item's <c>job_id</c> names a parse job the v2 parse routes serve (<c>GET /api/v2/parse/{id}</c>), as a v2
    /// batch's does (default: true). The 2.13.0 SDK says only "Job ID for the underlying processing job (links to
    /// parse/extract job results)", and that job's config is the legacy <c>parse_raw_file_job</c>. False: the id is one no v2
    /// route knows, and reading it answers 404, as it would if the guess were wrong (docs/llamacloud-api.md §11).
    /// </summary>
    public bool V1ParseJobIsV2ParseJob { get; set; } = true;

    /// <summary>When set, a v1 classify <c>job_config.user_id</c> must equal it (the key's user, say); null accepts any string.</summary>
    public string? V1ClassifyUserId { get; set; }

    /// <summary>
    /// What an upload or add into a directory does with a <c>unique_id</c> a file of that directory already has: the SDK
    /// says neither that it is unique nor what a second one does (docs/llamacloud-api.md §4.2, §11). Replace (default): that
    /// entry takes the new content under its own id. Add: a second entry beside it (a look-up by <c>unique_id</c> then lists
    /// both, oldest first). Refuse: answered <see cref="SameUniqueIdStatus"/>.
    /// </summary>
    public SameUniqueId SameUniqueIdUpload { get; set; } = SameUniqueId.Replace;

    /// <summary>Status of refusing a second <c>unique_id</c> (<see cref="SameUniqueIdUpload"/> Refuse): 400, 409 or 422.</summary>
    public int SameUniqueIdStatus { get; set; } = 409;
}

/// <summary>What a directory does with an upload under a <c>unique_id</c> it already holds (<see cref="SandboxGuesses.SameUniqueIdUpload"/>).</summary>
public enum SameUniqueId
{
    Replace,
    Add,
    Refuse,
}
