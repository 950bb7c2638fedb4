namespace BatchOrchestrator.Sandbox.Http;

/// <summary>
/// One entry of a FastAPI 422 <c>detail</c> list; <paramref name="Loc"/> holds strings and ints. <paramref name="Ctx"/> is
/// pydantic's <c>ctx</c>, for the error types that carry one (<see cref="Refusal"/>).
/// </summary>
internal sealed record ValidationIssue(IReadOnlyList<object> Loc, string Msg, string Type, IReadOnlyList<KeyValuePair<string, object>>? Ctx = null);
