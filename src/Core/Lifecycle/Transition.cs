namespace BatchOrchestrator.Core.Lifecycle;

/// <summary>
/// A named move of one lifecycle: the states it may start from (its guard) and the states it may end
/// in. Core decides which transition a step makes and, when it may end in several states, which one;
/// Persistence binds <see cref="From"/> as <c>state = any($n)</c> and the end state as a parameter,
/// so a state name never appears in a store's SQL (Hangfire's storages likewise only write what its
/// state machine decided). A new state or move is an edit of the lifecycle classes beside this one
/// (docs/lifecycle.md says how).
/// </summary>
internal sealed class Transition<TState>
    where TState : struct, Enum
{
    public Transition(string name, IEnumerable<TState> from, params TState[] to)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (to.Length == 0)
        {
            throw new ArgumentException($"Transition {name} must end in a state", nameof(to));
        }

        Name = name;
        From = [.. from];
        To = to;
    }

    public string Name { get; }

    /// <summary>The states it may start from; empty for a row's birth.</summary>
    public IReadOnlyList<TState> From { get; }

    /// <summary>The states it may end in.</summary>
    public IReadOnlyList<TState> To { get; }

    /// <summary>The one state it ends in; only for a transition with a single end.</summary>
    public TState Target => To.Count == 1
        ? To[0]
        : throw new InvalidOperationException($"{Name} may end in {string.Join(" or ", To)}: the step must choose one");

    public bool CanStartFrom(TState state) => From.Contains(state);

    /// <summary>Whether a row in <paramref name="from"/> may move to <paramref name="to"/> by this transition.</summary>
    public bool Allows(TState from, TState to) => CanStartFrom(from) && To.Contains(to);

    public override string ToString() => $"{Name}: {string.Join(" | ", From)} -> {string.Join(" | ", To)}";
}
