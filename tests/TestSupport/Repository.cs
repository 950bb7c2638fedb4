namespace BatchOrchestrator.TestSupport;

/// <summary>Files of this repository, found from the test assembly's folder upwards.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Worker.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Worker.sln not found above " + AppContext.BaseDirectory);
    }
}
