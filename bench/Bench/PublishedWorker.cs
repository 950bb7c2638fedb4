using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace BatchOrchestrator.Bench;

/// <summary>
/// The service as it is deployed: the Worker published in Release (<c>dotnet publish -c Release</c>), run
/// as its own process from its own folder with the shipped appsettings.json, settings given as
/// environment variables, every output line kept (and dropped when there are too many to keep).
/// </summary>
internal sealed class PublishedWorker : IAsyncDisposable
{
    private readonly Process process;

    private PublishedWorker(Process process, Uri address)
    {
        this.process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int ProcessId => process.Id;

    public ConcurrentQueue<string> Output { get; } = new();

    /// <summary>Publishes src/Worker in Release into <paramref name="folder"/>, unless <paramref name="existing"/> names a published folder to use.</summary>
    public static async Task<string> PublishAsync(string folder, string? existing, CancellationToken cancellationToken)
    {
        if (existing is not null)
        {
            return Path.Combine(Path.GetFullPath(existing), "BatchOrchestrator.Worker.dll");
        }

        var project = Path.Combine(RepositoryRoot(), "src", "Worker", "Worker.csproj");
        var clock = Stopwatch.StartNew();
        using var publish = Process.Start(new ProcessStartInfo("dotnet", ["publish", project, "-c", "Release", "-o", folder, "--nologo", "-v", "quiet"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = await publish.StandardOutput.ReadToEndAsync(cancellationToken) + await publish.StandardError.ReadToEndAsync(cancellationToken);
        await publish.WaitForExitAsync(cancellationToken);
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed: {output}");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   published the Worker (Release) in {clock.Elapsed.TotalSeconds:F0} s"));
        return Path.Combine(folder, "BatchOrchestrator.Worker.dll");
    }

    /// <summary>Starts the service (the default verb) on a free loopback port, from the published folder.</summary>
    public static PublishedWorker Start(string dll, IDictionary<string, string?> settings)
    {
        var address = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{FreePort()}/"));
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Urls"] = address.ToString().TrimEnd('/');
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var worker = new PublishedWorker(process, address);
        process.OutputDataReceived += (_, e) => worker.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Waits until <c>/readyz</c> answers 200 (database, schema and API all up).</summary>
    public async Task WaitReadyAsync(TimeSpan patience, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < patience)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The Worker exited with {process.ExitCode}: {string.Join('\n', Output.TakeLast(30))}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("readyz", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // a slow answer on a busy machine
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }

        throw new TimeoutException($"The Worker was not ready within {patience}: {string.Join('\n', Output.TakeLast(30))}");
    }

    /// <summary>Stops the service as a service manager would (SIGTERM) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
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

    /// <summary>The folder holding Worker.sln, found upwards from this program.</summary>
    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Worker.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmarks from the repository (Worker.sln not found above " + AppContext.BaseDirectory + ")");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        Output.Enqueue(line);
        while (Output.Count > 2_000 && Output.TryDequeue(out _))
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
