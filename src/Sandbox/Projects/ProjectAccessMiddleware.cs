using System.Text.RegularExpressions;
using BatchOrchestrator.Sandbox.Hosting;

namespace BatchOrchestrator.Sandbox.Projects;

/// <summary>
/// Resolves the project of every /api request from its optional <c>project_id</c> and
/// <c>organization_id</c> query parameters (SDK 2.16.0: every endpoint's <c>…Params</c> type has both),
/// and refuses what the key may not reach. Malformed ids are FastAPI's 422 on ("query", name); a
/// project or organisation the key cannot reach is 403 (the service's code is not documented: a guess).
/// </summary>
internal sealed partial class ProjectAccessMiddleware(RequestDelegate next, SandboxOptions options, SandboxCounters counters)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!RouteKeys.IsApi(context))
        {
            await next(context);
            return;
        }

        var projectId = Query.Single(context.Request, "project_id");
        var organizationId = Query.Single(context.Request, "organization_id");
        counters.AddTo(Counter.RequestsByProjectParam, projectId ?? "none");
        var issues = new List<ValidationIssue>();
        if (projectId is not null && !ProjectPattern().IsMatch(projectId))
        {
            issues.Add(new ValidationIssue(["query", "project_id"], "Input should be a valid UUID", "uuid_parsing"));
        }

        if (organizationId is not null && !OrganizationPattern().IsMatch(organizationId))
        {
            issues.Add(new ValidationIssue(["query", "organization_id"], "Input should be a valid UUID", "uuid_parsing"));
        }

        if (issues.Count > 0)
        {
            await ApiErrors.Validation(issues).ExecuteAsync(context);
            return;
        }

        if (organizationId is not null && options.OrganizationId is { Length: > 0 } own && !string.Equals(organizationId, own, StringComparison.OrdinalIgnoreCase))
        {
            await ApiErrors.WriteDetailAsync(context.Response, StatusCodes.Status403Forbidden, $"The API key has no access to organization {organizationId}");
            return;
        }

        var project = projectId ?? options.DefaultProjectId;
        if (options.AllowedProjectIds is { Count: > 0 } allowed && project != options.DefaultProjectId && !allowed.Contains(project, StringComparer.Ordinal))
        {
            await ApiErrors.WriteDetailAsync(context.Response, StatusCodes.Status403Forbidden, $"The API key has no access to project {project}");
            return;
        }

        RequestProject.Set(context, new RequestProject(project));
        await next(context);
    }

    // A UUID, or prj-/org- and a UUID: the API's examples show both forms (docs/llamacloud-api.md §1.1).
    [GeneratedRegex("^(prj-)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex ProjectPattern();

    [GeneratedRegex("^(org-)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex OrganizationPattern();
}
