namespace BatchOrchestrator.Sandbox.Webhooks;

/// <summary>One event on its way to one target; <see cref="Attempt"/> counts from 1.</summary>
internal sealed record WebhookDelivery(string EventType, byte[] Body, WebhookTarget Target, int Attempt);
