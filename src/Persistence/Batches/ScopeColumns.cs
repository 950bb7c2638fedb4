using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Persistence.Batches;

/// <summary>A batch's <see cref="ProjectScope"/> as its two columns, project_id and organization_id (null: the key's own).</summary>
internal static class ScopeColumns
{
    /// <summary>The scope in columns <paramref name="ordinal"/> (project) and the one after it (organisation).</summary>
    public static ProjectScope Read(NpgsqlDataReader reader, int ordinal) => new(
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal),
        reader.IsDBNull(ordinal + 1) ? null : reader.GetString(ordinal + 1));

    public static NpgsqlParameter Project(ProjectScope scope) => Text(scope.ProjectId);

    public static NpgsqlParameter Organization(ProjectScope scope) => Text(scope.OrganizationId);
}
