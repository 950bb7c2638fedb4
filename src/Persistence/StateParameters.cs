namespace BatchOrchestrator.Persistence;

/// <summary>
/// Core's lifecycle decisions as SQL parameters: a transition's guard as a text array
/// (<c>state = any($n)</c>), a state or class as text. The stores name no state in their SQL; a
/// test keeps it so.
/// </summary>
internal static class StateParameters
{
    /// <summary>The names of <paramref name="values"/>, as stored.</summary>
    public static NpgsqlParameter<string[]> Names<TEnum>(IEnumerable<TEnum> values)
        where TEnum : struct, Enum => new() { TypedValue = [.. values.Select(v => v.ToString())] };

    /// <summary>The name of <paramref name="value"/>, as stored.</summary>
    public static NpgsqlParameter<string> Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => new() { TypedValue = value.ToString() };

    /// <summary>The states the transition may start from.</summary>
    public static NpgsqlParameter<string[]> FromStates<TState>(this Transition<TState> transition)
        where TState : struct, Enum => Names(transition.From);

    /// <summary>The one state the transition ends in.</summary>
    public static NpgsqlParameter<string> TargetState<TState>(this Transition<TState> transition)
        where TState : struct, Enum => Name(transition.Target);
}
