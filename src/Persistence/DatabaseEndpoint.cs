namespace BatchOrchestrator.Persistence;

/// <summary>The connection string in use (external, or the embedded server's). Never logged: it may carry a password.</summary>
internal sealed record DatabaseEndpoint(string ConnectionString, bool Embedded)
{
    public override string ToString() => Embedded ? "embedded PostgreSQL" : "external PostgreSQL";
}
