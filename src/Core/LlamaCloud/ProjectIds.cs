using System.Text.RegularExpressions;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// What a configured project or organisation id may look like. The SDK types the query parameters as
/// plain strings; the API's examples show projects as a UUID (the projects API) and as <c>prj-</c>
/// followed by a UUID (batch objects), so both forms are accepted. An <c>org-</c> prefix for
/// organisations is our guess by analogy; nothing public shows one (docs/configuration-llamacloud.md).
/// </summary>
internal static partial class ProjectIds
{
    public static bool IsProjectId(string value) => ProjectPattern().IsMatch(value);

    public static bool IsOrganizationId(string value) => OrganizationPattern().IsMatch(value);

    /// <summary>The failure for a configured scope, naming each key at fault; none when both are empty or well formed.</summary>
    public static IEnumerable<string> Validate(string? projectId, string? organizationId, string keyPrefix)
    {
        if (!string.IsNullOrWhiteSpace(projectId) && !IsProjectId(projectId.Trim()))
        {
            yield return $"{keyPrefix}:ProjectId: '{projectId}' must be a project id: a UUID, or prj- followed by a UUID";
        }

        if (!string.IsNullOrWhiteSpace(organizationId) && !IsOrganizationId(organizationId.Trim()))
        {
            yield return $"{keyPrefix}:OrganizationId: '{organizationId}' must be an organization id: a UUID (or org- followed by a UUID)";
        }
    }

    [GeneratedRegex("^(prj-)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex ProjectPattern();

    [GeneratedRegex("^(org-)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex OrganizationPattern();
}
