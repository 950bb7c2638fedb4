namespace BatchOrchestrator.Sandbox.Http;

/// <summary>One entry of a FastAPI 422 <c>detail</c> list; <paramref name="Loc"/> holds strings and ints.</summary>
internal sealed record ValidationIssue(IReadOnlyList<object> Loc, string Msg, string Type);
