using System.Text.RegularExpressions;

namespace BatchOrchestrator.Core.Tests;

/// <summary>
/// Core's folders depend on each other one way: no two folders import each other, directly or round a
/// loop, so each capability can be read (and changed) from its dependencies up.
/// </summary>
public sealed partial class CoreFolderDependencyFacts
{
    // The one edge a loop may pass through: the pipeline port names RunTrigger (Runs), whose full name
    // Hangfire stores with every queued run job, so it cannot move to a folder of its own.
    private static readonly (string From, string To)[] Tolerated = [("Pipeline", "Runs")];

    [Fact]
    public void CoreFolders_FormNoLoop()
    {
        var graph = Imports();
        foreach (var (from, to) in Tolerated)
        {
            graph[from].Remove(to);
        }

        var loops = graph.Keys.Select(start => LoopFrom(graph, start)).OfType<string>().Distinct().ToList();

        Assert.True(loops.Count == 0, "Core folders import each other round a loop:\n" + string.Join("\n", loops));
        Assert.Contains("Lifecycle", graph["Batches"]); // the graph is read, not empty
    }

    [Fact]
    public void Batches_ImportsNoFolderThatImportsItBack()
    {
        var graph = Imports();

        var mutual = graph["Batches"].Where(other => graph.TryGetValue(other, out var back) && back.Contains("Batches")).ToList();

        Assert.Empty(mutual);
    }

    private static Dictionary<string, HashSet<string>> Imports()
    {
        var core = Repository.PathOf("src/Core");
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var folder in Directory.GetDirectories(core).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")))
        {
            graph[folder!] = [.. Directory.EnumerateFiles(Path.Combine(core, folder!), "*.cs", SearchOption.AllDirectories)
                .SelectMany(file => CoreUsing().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
                .Where(target => target != folder)];
        }

        return graph;
    }

    private static string? LoopFrom(Dictionary<string, HashSet<string>> graph, string start)
    {
        var path = new List<string> { start };
        return Walk(start);

        string? Walk(string node)
        {
            foreach (var next in graph.GetValueOrDefault(node) ?? [])
            {
                if (next == start)
                {
                    return string.Join(" -> ", path.Append(start));
                }

                if (!path.Contains(next))
                {
                    path.Add(next);
                    if (Walk(next) is { } loop)
                    {
                        return loop;
                    }

                    path.RemoveAt(path.Count - 1);
                }
            }

            return null;
        }
    }

    [GeneratedRegex(@"^using (?:static )?BatchOrchestrator\.Core\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex CoreUsing();
}
