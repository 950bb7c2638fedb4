namespace BatchOrchestrator.Sandbox.Projects;

/// <summary>
/// The project a request acts in: its <c>project_id</c> query parameter, or the key's default project
/// (<see cref="SandboxOptions.DefaultProjectId"/>). Resolved once by <see cref="ProjectAccessMiddleware"/>;
/// endpoints take it as a parameter.
/// </summary>
internal sealed record RequestProject(string Id)
{
    private const string ItemKey = "sandbox.project";

    public static ValueTask<RequestProject?> BindAsync(HttpContext context) => ValueTask.FromResult<RequestProject?>(Of(context));

    public static RequestProject Of(HttpContext context) =>
        context.Items.TryGetValue(ItemKey, out var value) && value is RequestProject project
            ? project
            : throw new InvalidOperationException("The request's project was not resolved (ProjectAccessMiddleware must run before the endpoints)");

    public static void Set(HttpContext context, RequestProject project) => context.Items[ItemKey] = project;

    public static bool IsSet(HttpContext context) => context.Items.ContainsKey(ItemKey);
}
