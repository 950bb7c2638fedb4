namespace BatchOrchestrator.Sandbox.Http;

/// <summary>A pydantic error type and its message, before it is placed at a <c>loc</c>.</summary>
internal sealed record Refusal(string Type, string Msg);
