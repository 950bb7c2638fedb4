using System.Diagnostics.CodeAnalysis;

namespace BatchOrchestrator.Sandbox.State;

/// <summary>
/// One kind of resource, by id, each in its project. Requests see only their project's resources: an
/// id from another project is as unknown as one never issued (404), and lists hold only their own.
/// Call under <see cref="SandboxState.Gate"/>.
/// </summary>
internal sealed class ProjectTable<T>
    where T : ProjectResource
{
    private readonly Dictionary<string, T> _items = new(StringComparer.Ordinal);

    /// <summary>Every resource of every project: for the simulated back end, never for a request.</summary>
    public IEnumerable<T> All => _items.Values;

    public void Add(T item) => _items[item.Id] = item;

    public bool TryGet(string projectId, string id, [MaybeNullWhen(false)] out T item)
    {
        if (_items.TryGetValue(id, out var found) && found.ProjectId == projectId)
        {
            item = found;
            return true;
        }

        item = null;
        return false;
    }

    public T? Find(string projectId, string id) => TryGet(projectId, id, out var item) ? item : null;

    public bool Contains(string projectId, string id) => TryGet(projectId, id, out _);

    /// <summary>The project's resources, in no particular order.</summary>
    public IEnumerable<T> In(string projectId) => _items.Values.Where(i => i.ProjectId == projectId);

    public bool Remove(string projectId, string id) => Contains(projectId, id) && _items.Remove(id);

    /// <summary>A resource by id alone: only for links the back end made itself (a batch's own jobs).</summary>
    public T? Linked(string id) => _items.GetValueOrDefault(id);

    public void Clear() => _items.Clear();
}
