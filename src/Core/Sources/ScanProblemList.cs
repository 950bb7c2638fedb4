namespace BatchOrchestrator.Core.Sources;

/// <summary>The problems of one scan, reported from the walk thread and the hashing tasks.</summary>
internal sealed class ScanProblemList
{
    private readonly List<ScanProblem> problems = [];

    public int Count
    {
        get
        {
            lock (problems)
            {
                return problems.Count;
            }
        }
    }

    public void Add(ScanProblem problem)
    {
        lock (problems)
        {
            problems.Add(problem);
        }
    }

    public List<ScanProblem> Snapshot()
    {
        lock (problems)
        {
            return [.. problems];
        }
    }
}
