using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// The scope each configured source works in: its own <c>Sources:N:ProjectId</c> /
/// <c>Sources:N:OrganizationId</c>, each falling back to <c>LlamaCloud:ProjectId</c> /
/// <c>LlamaCloud:OrganizationId</c>. A source that names another organisation does not inherit the
/// global project, which belongs to the global organisation. Read when a batch is planned and then
/// recorded on it: later steps use the batch's scope, not the configuration of the day.
/// </summary>
internal sealed class ProjectScopes(IOptionsMonitor<SourcesOptions> sources, IOptions<LlamaCloudOptions> llamaCloud)
{
    /// <summary>The scope of calls that belong to no source.</summary>
    public ProjectScope Global => ProjectScope.From(llamaCloud.Value.ProjectId, llamaCloud.Value.OrganizationId);

    public ProjectScope For(SourceOptions source) => Resolve(source, llamaCloud.Value);

    /// <summary>Every scope the configured sources work in (the global one when there are none), each once.</summary>
    public IReadOnlyList<ProjectScope> Configured()
    {
        var scopes = sources.CurrentValue.Sources.Select(For).Distinct().ToList();
        return scopes.Count == 0 ? [Global] : scopes;
    }

    public static ProjectScope Resolve(SourceOptions source, LlamaCloudOptions global)
    {
        var own = ProjectScope.From(source.ProjectId, source.OrganizationId);
        var fallback = ProjectScope.From(global.ProjectId, global.OrganizationId);
        var organization = own.OrganizationId ?? fallback.OrganizationId;
        var otherOrganization = own.OrganizationId is not null && own.OrganizationId != fallback.OrganizationId;
        return new ProjectScope(own.ProjectId ?? (otherOrganization ? null : fallback.ProjectId), organization);
    }
}
