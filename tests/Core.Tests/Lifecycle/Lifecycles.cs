namespace BatchOrchestrator.Core.Tests.Lifecycle;

/// <summary>The named transitions a lifecycle class declares, read by reflection so a new one is covered without editing the tests.</summary>
internal static class Lifecycles
{
    public static IReadOnlyList<Transition<TState>> TransitionsOf<TState>(Type lifecycle)
        where TState : struct, Enum =>
        [.. lifecycle.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(Transition<TState>))
            .Select(f => (Transition<TState>)f.GetValue(null)!)];
}
