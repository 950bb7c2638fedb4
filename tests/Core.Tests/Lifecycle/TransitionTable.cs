namespace BatchOrchestrator.Core.Tests.Lifecycle;

/// <summary>
/// Checks a lifecycle against a table written out by hand: each named transition's guard (the states it
/// may start from) and the states it may end in, exactly, and no transition missing from the table.
/// States are written as space-separated names; "*" means every state.
/// </summary>
internal static class TransitionTable
{
    public static void AssertRow<TState>(Type lifecycle, string name, string from, string to)
        where TState : struct, Enum
    {
        var transition = Lifecycles.TransitionsOf<TState>(lifecycle).SingleOrDefault(t => t.Name == name);
        Assert.True(transition is not null, $"{lifecycle.Name} has no transition {name}");
        Assert.Equal(States<TState>(from), transition.From.Order());
        Assert.Equal(States<TState>(to), transition.To.Order());
        foreach (var state in Enum.GetValues<TState>())
        {
            Assert.Equal(transition.From.Contains(state), transition.CanStartFrom(state));
        }
    }

    public static void AssertComplete<TState>(Type lifecycle, TheoryData<string, string, string> table)
        where TState : struct, Enum =>
        Assert.Equal(
            table.Select(row => row.Data.Item1).Order(StringComparer.Ordinal),
            Lifecycles.TransitionsOf<TState>(lifecycle).Select(t => t.Name).Order(StringComparer.Ordinal));

    private static IEnumerable<TState> States<TState>(string names)
        where TState : struct, Enum =>
        names == "*"
            ? Enum.GetValues<TState>().Order()
            : names.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<TState>).Order();
}
