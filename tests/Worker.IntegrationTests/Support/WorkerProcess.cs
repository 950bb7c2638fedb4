namespace BatchOrchestrator.Worker.IntegrationTests.Support;

/// <summary>
/// The Worker as its own process (the built dll, as a service manager or a container starts it), with
/// settings as environment variables and every line of its stdout and stderr kept.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process process;

    private WorkerProcess(Process process) => this.process = process;

    /// <summary>The Worker built beside this test assembly (its deps.json and runtimeconfig are copied here).</summary>
    public static string BuiltDll { get; } = Path.Combine(AppContext.BaseDirectory, "BatchOrchestrator.Worker.dll");

    public ConcurrentQueue<string> Output { get; } = new();

    public ConcurrentQueue<string> Errors { get; } = new();

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>The process id: the middle part of its Hangfire server ids.</summary>
    public int Id => process.Id;

    public static WorkerProcess Start(string workingDirectory, IEnumerable<string> args, IDictionary<string, string?> environment, string? dll = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll ?? BuiltDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) worker.Output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) worker.Errors.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Runs a verb to its end and returns its exit code.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(
        string workingDirectory, IEnumerable<string> args, IDictionary<string, string?> environment, TimeSpan? patience = null)
    {
        await using var worker = Start(workingDirectory, args, environment);
        using var timeout = new CancellationTokenSource(patience ?? TimeSpan.FromMinutes(2));
        await worker.process.WaitForExitAsync(timeout.Token);
        worker.process.WaitForExit(); // drains the output readers
        return (worker.process.ExitCode, string.Join('\n', worker.Output), string.Join('\n', worker.Errors));
    }

    /// <summary>SIGKILL: no shutdown, no cleanup (leases, Hangfire's jobs and locks left as they were); waits for the end.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(CancellationToken.None);
    }

    /// <summary>Asks the process to stop as a service manager would (SIGTERM), and waits for it.</summary>
    public async Task StopAsync()
    {
        if (process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        process.Dispose();
    }
}
