namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// The LlamaCloud project (and organisation) a call acts in: the optional <c>project_id</c> and
/// <c>organization_id</c> query parameters every endpoint we call accepts (SDK 2.16.0
/// <c>resources/**/*.d.ts</c>, the <c>…Params</c> types; 2.13.0 for v1 batch processing). Neither
/// set means the API key's own project. Rate limits, upload pacing and per-project strategies of the
/// HTTP pipeline are keyed by <see cref="Key"/> (docs/configuration-llamacloud.md).
/// </summary>
internal readonly record struct ProjectScope(string? ProjectId, string? OrganizationId)
{
    /// <summary>The key's own project: no scope parameters are sent.</summary>
    public static ProjectScope Default => default;

    /// <summary>
    /// What names the project in metrics, logs, pacing and pipeline selection: the project id, or
    /// <c>default</c> for the key's own project. An organisation named without a project means that
    /// organisation's default project, a different one per organisation: <c>default@&lt;organisation&gt;</c>.
    /// </summary>
    public string Key => ProjectId ?? (OrganizationId is null ? "default" : "default@" + OrganizationId);

    /// <summary>The path with this scope's query parameters appended (none for <see cref="Default"/>).</summary>
    public string Apply(string pathAndQuery)
    {
        if (ProjectId is null && OrganizationId is null)
        {
            return pathAndQuery;
        }

        var separator = pathAndQuery.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var scoped = pathAndQuery;
        if (OrganizationId is { } organization)
        {
            scoped += separator + "organization_id=" + Uri.EscapeDataString(organization);
            separator = '&';
        }

        return ProjectId is { } project ? scoped + separator + "project_id=" + Uri.EscapeDataString(project) : scoped;
    }

    /// <summary>A scope from configuration values, empty strings meaning "not set".</summary>
    public static ProjectScope From(string? projectId, string? organizationId) =>
        new(string.IsNullOrWhiteSpace(projectId) ? null : projectId.Trim(), string.IsNullOrWhiteSpace(organizationId) ? null : organizationId.Trim());

    public override string ToString() => Key;
}
