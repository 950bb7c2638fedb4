using System.Globalization;
namespace BatchOrchestrator.Worker.IntegrationTests.Deployment;

/// <summary>What can be checked here of deploy/ and the Dockerfile (no Docker engine, no cluster): they parse and say what the README says.</summary>
[Collection(ChildProcesses.Collection)]
public sealed partial class ManifestFacts
{
    [Fact]
    public async Task TheSystemdUnit_PassesSystemdAnalyzeVerify_AndABrokenCopyDoesNot()
    {
        if (!File.Exists("/usr/bin/systemd-analyze") && !File.Exists("/bin/systemd-analyze"))
        {
            Assert.Skip("systemd-analyze is not installed here: the unit was NOT verified (its content checks still ran in TheSystemdUnit_IsHardenedAndNotifies)");
        }

        var folder = Directory.CreateTempSubdirectory("bo-unit-").FullName;
        try
        {
            // verify checks that ExecStart's binary exists: point it at one that does.
            var unit = (await File.ReadAllTextAsync(Repository.PathOf("deploy/systemd/batch-orchestrator.service"), Ct))
                .Replace("/opt/batch-orchestrator/BatchOrchestrator.Worker", "/bin/sh", StringComparison.Ordinal);
            var good = Path.Combine(folder, "batch-orchestrator.service");
            await File.WriteAllTextAsync(good, unit, Ct);
            var broken = Path.Combine(folder, "broken.service");
            await File.WriteAllTextAsync(broken, unit.Replace("Type=notify", "Type=notfy", StringComparison.Ordinal), Ct);

            var (goodExit, goodOutput) = await RunAsync("systemd-analyze", "verify", good);
            var (brokenExit, brokenOutput) = await RunAsync("systemd-analyze", "verify", broken);

            Assert.True(goodExit == 0 && !goodOutput.Contains("batch-orchestrator.service:", StringComparison.Ordinal), goodOutput);
            Assert.True(brokenExit != 0 || brokenOutput.Contains("notfy", StringComparison.Ordinal), brokenOutput);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void TheSystemdUnit_IsHardenedAndNotifies_WithTheKeyFromACredential()
    {
        var unit = File.ReadAllText(Repository.PathOf("deploy/systemd/batch-orchestrator.service"));

        foreach (var line in new[]
        {
            "Type=notify", "User=batchorch", "Restart=on-failure", "ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes",
            "ReadWritePaths=/srv/batch-orchestrator/inbox /srv/batch-orchestrator/output",
            "LoadCredential=llama-cloud-api-key:/etc/batch-orchestrator/llama-cloud-api-key",
            "Environment=LlamaCloud__ApiKeyFile=%d/llama-cloud-api-key",
        })
        {
            Assert.Contains(line, unit.Split('\n').Select(l => l.Trim()));
        }

        Assert.DoesNotContain("LLAMA_CLOUD_API_KEY=", unit, StringComparison.Ordinal);

        // The FileSystem sink writes where the hardening lets it (the default, beside the app, is read-only).
        var writable = unit.Split('\n').Single(l => l.StartsWith("ReadWritePaths=", StringComparison.Ordinal))["ReadWritePaths=".Length..].Trim().Split(' ');
        var output = unit.Split('\n').Single(l => l.StartsWith("Environment=FollowUp__OutputPath=", StringComparison.Ordinal))["Environment=FollowUp__OutputPath=".Length..].Trim();
        Assert.Contains(output, writable);
        Assert.Contains("batchorch", File.ReadAllText(Repository.PathOf("deploy/systemd/batch-orchestrator.sysusers")), StringComparison.Ordinal);
    }

    [Fact]
    public void TheComposeFile_HasPostgresTheSandboxAndTwoWorkersSharingOneDatabase()
    {
        var compose = Load("deploy/compose/compose.yaml").Single();
        var services = Map(compose, "services");
        var worker = Map(services, "worker");
        var environment = Map(worker, "environment");

        Assert.Equal(["postgres", "sandbox", "worker"], services.Children.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal("2", Map(worker, "deploy")["replicas"].ToString());
        Assert.StartsWith("Host=postgres;", environment["Database__ConnectionString"].ToString(), StringComparison.Ordinal);
        Assert.Equal("http://sandbox:8090/", environment["LLAMA_CLOUD_BASE_URL"].ToString());
        Assert.Equal(Map(Map(services, "sandbox"), "environment")["Sandbox__ApiKey"].ToString(), environment["LLAMA_CLOUD_API_KEY"].ToString());
        Assert.Equal("service_healthy", Map(Map(worker, "depends_on"), "postgres")["condition"].ToString());
        Assert.Contains("inbox:/data/inbox", ((YamlSequenceNode)worker["volumes"]).Children.Select(v => v.ToString()));
        Assert.Contains("output:/data/output", ((YamlSequenceNode)worker["volumes"]).Children.Select(v => v.ToString())); // the image's FollowUp__OutputPath
        Assert.Contains("output", Map(compose, "volumes").Children.Keys.Select(k => k.ToString()));
        var stages = DockerfileStages();
        Assert.Contains(Map(worker, "build")["target"].ToString(), stages);
        Assert.Contains(Map(Map(services, "sandbox"), "build")["target"].ToString(), stages);
    }

    [Fact]
    public void EverySupervisor_WaitsLongerThanTheHostsShutdown_BeforeItKills()
    {
        // What the host waits for at shutdown (WorkerHostingExtensions): Hangfire's ShutdownTimeout and 15 s more. A
        // supervisor that kills sooner (compose's and docker's default is 10 s) cuts running jobs off before they are
        // handed back, and they wait out Hangfire:Storage:InvisibilityTimeout before anyone takes them up.
        var host = new Worker.Hosting.JobServerOptions().ShutdownTimeout + TimeSpan.FromSeconds(15);

        var unit = File.ReadAllLines(Repository.PathOf("deploy/systemd/batch-orchestrator.service")).Select(l => l.Trim());
        var systemd = TimeSpan.FromSeconds(int.Parse(unit.Single(l => l.StartsWith("TimeoutStopSec=", StringComparison.Ordinal))["TimeoutStopSec=".Length..], CultureInfo.InvariantCulture));
        var pod = Map(Map(Map(Load("deploy/kubernetes/deployment.yaml").Single(), "spec"), "template"), "spec");
        var kubernetes = TimeSpan.FromSeconds(int.Parse(pod["terminationGracePeriodSeconds"].ToString(), CultureInfo.InvariantCulture));
        var worker = Map(Map(Load("deploy/compose/compose.yaml").Single(), "services"), "worker");
        var compose = worker.Children.TryGetValue(new YamlScalarNode("stop_grace_period"), out var period)
            ? TimeSpan.FromSeconds(int.Parse(period.ToString().TrimEnd('s'), CultureInfo.InvariantCulture))
            : TimeSpan.FromSeconds(10); // compose's default

        Assert.All([("systemd", systemd), ("kubernetes", kubernetes), ("compose", compose)], s => Assert.True(s.Item2 > host, $"{s.Item1} kills after {s.Item2}; the host may take {host}"));
        Assert.Contains("--stop-timeout 60", File.ReadAllText(Repository.PathOf("docs/deployment.md")), StringComparison.Ordinal); // docker run's default is 10 s too
    }

    [Fact]
    public void TheSystemdUnit_SignalsOnlyTheService_AndWaitsForItsEmbeddedServersStart()
    {
        // systemd's default (KillMode=control-group) sends SIGTERM to every process of the unit at once: the embedded
        // server's backends end every session there and then (as pg_terminate_backend does), and its postmaster refuses
        // new ones, while the job server still hands its running jobs back and releases their leases over those
        // connections. `mixed` signals the service alone; it stops the server itself once its jobs are handed back, and
        // only what is left after it has exited is killed.
        var unit = File.ReadAllLines(Repository.PathOf("deploy/systemd/batch-orchestrator.service")).Select(l => l.Trim());

        Assert.Contains("KillMode=mixed", unit);
        // Ready is notified once the embedded server has started (pg_ctl start -t 120 in EmbeddedPostgres) and the
        // migrations have run; systemd's default TimeoutStartSec (90 s) kills a start still in crash recovery, and its
        // restart begins the recovery again.
        var start = unit.SingleOrDefault(l => l.StartsWith("TimeoutStartSec=", StringComparison.Ordinal)) ?? "TimeoutStartSec=90s (the default)";
        Assert.True(start == "TimeoutStartSec=10min", start);
        Assert.Contains("Environment=Database__Embedded__DataDirectory=/var/lib/batch-orchestrator/postgres", unit); // what the setting is for
    }

    [Fact]
    public void TheComposeFile_RestartsEveryService_AfterAFailureAndAfterTheDockerEngineRestarts()
    {
        // Without a restart policy compose restarts nothing: a worker that stops with exit code 1 for its supervisor (a
        // database that does not answer at start-up, docs/operations.md "Start-up failures") stays down, and after a
        // reboot or an engine restart the whole stack does. `unless-stopped` brings each back, except one an operator stopped.
        var services = Map(Load("deploy/compose/compose.yaml").Single(), "services");

        Assert.All(services.Children, s => Assert.Equal("unless-stopped", ((YamlMappingNode)s.Value).Children.TryGetValue(new YamlScalarNode("restart"), out var policy) ? policy.ToString() : $"no restart policy on {s.Key}"));
    }

    [Fact]
    public void TheKubernetesManifests_ParseAndWireDeploymentConfigMapSecretProbesAndTheSourceVolume()
    {
        var kustomization = Load("deploy/kubernetes/kustomization.yaml").Single();
        var files = ((YamlSequenceNode)kustomization["resources"]).Children.Select(r => r.ToString()).ToList();
        var documents = files.SelectMany(f => Load($"deploy/kubernetes/{f}")).ToList();
        var claims = documents.Where(d => d["kind"].ToString() == "PersistentVolumeClaim").Select(d => Map(d, "metadata")["name"].ToString()).ToList();
        var byKind = documents.Where(d => d["kind"].ToString() != "PersistentVolumeClaim").ToDictionary(d => d["kind"].ToString(), StringComparer.Ordinal);

        Assert.Equal(["ConfigMap", "Deployment", "Namespace", "Secret", "Service"], byKind.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["batch-orchestrator-inbox", "batch-orchestrator-output"], claims.Order(StringComparer.Ordinal));
        var spec = Map(byKind["Deployment"], "spec");
        Assert.Equal("2", spec["replicas"].ToString());
        var pod = Map(Map(spec, "template"), "spec");
        var worker = (YamlMappingNode)((YamlSequenceNode)pod["containers"]).Children.Single();
        Assert.Equal("/healthz", Map(Map(worker, "livenessProbe"), "httpGet")["path"].ToString());
        Assert.Equal("/readyz", Map(Map(worker, "readinessProbe"), "httpGet")["path"].ToString());
        // Long enough for /readyz to say why it is not ready: the database checks' and the LlamaCloud check's timeouts.
        Assert.True(int.Parse(Map(worker, "readinessProbe")["timeoutSeconds"].ToString(), CultureInfo.InvariantCulture) > Math.Max(new Worker.Health.HealthOptions().DatabaseTimeout.TotalSeconds, 10));
        Assert.Equal("run", ((YamlSequenceNode)worker["args"]).Children.Single().ToString());
        var migrate = (YamlMappingNode)((YamlSequenceNode)pod["initContainers"]).Children.Single();
        Assert.Equal("migrate", ((YamlSequenceNode)migrate["args"]).Children.Single().ToString());
        // migrate validates the whole configuration first: what the worker's settings point at must be there for it too.
        Assert.Equal(Names(worker, "env"), Names(migrate, "env"));
        Assert.Equal(Mounts(worker), Mounts(migrate));
        Assert.Equal(Map((YamlMappingNode)((YamlSequenceNode)worker["envFrom"]).Children.Single(), "configMapRef")["name"].ToString(),
            Map((YamlMappingNode)((YamlSequenceNode)migrate["envFrom"]).Children.Single(), "configMapRef")["name"].ToString());

        var config = Map(byKind["ConfigMap"], "data");
        var mounts = ((YamlSequenceNode)worker["volumeMounts"]).Children.Cast<YamlMappingNode>().ToDictionary(m => m["name"].ToString(), m => m["mountPath"].ToString(), StringComparer.Ordinal);
        var volumes = ((YamlSequenceNode)pod["volumes"]).Children.Cast<YamlMappingNode>().ToDictionary(v => v["name"].ToString(), v => v, StringComparer.Ordinal);
        Assert.Equal(config["Sources__0__Path"].ToString(), mounts["inbox"]);
        Assert.Equal("batch-orchestrator-inbox", Map(volumes["inbox"], "persistentVolumeClaim")["claimName"].ToString());
        // The root file system is read-only: the FileSystem sink writes to a volume of its own.
        Assert.Equal(config["FollowUp__OutputPath"].ToString(), mounts["output"]);
        Assert.Equal("batch-orchestrator-output", Map(volumes["output"], "persistentVolumeClaim")["claimName"].ToString());
        Assert.StartsWith(mounts["llama-cloud"] + "/", config["LlamaCloud__ApiKeyFile"].ToString(), StringComparison.Ordinal);

        // Every secret key the pod reads exists in the Secret.
        var secretKeys = Map(byKind["Secret"], "stringData").Children.Keys.Select(k => k.ToString()).ToHashSet(StringComparer.Ordinal);
        var referenced = Regex.Matches(File.ReadAllText(Repository.PathOf("deploy/kubernetes/deployment.yaml")), @"key: ([a-z-]+)").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(referenced);
        Assert.All(referenced, key => Assert.Contains(key, secretKeys));
    }

    private static List<string> Names(YamlMappingNode container, string key) =>
        [.. ((YamlSequenceNode)container[key]).Children.Cast<YamlMappingNode>().Select(e => e["name"].ToString()).Order(StringComparer.Ordinal)];

    private static List<string> Mounts(YamlMappingNode container) =>
        [.. ((YamlSequenceNode)container["volumeMounts"]).Children.Cast<YamlMappingNode>().Select(m => $"{m["name"]} {m["mountPath"]}").Order(StringComparer.Ordinal)];

    [Fact]
    public void TheDockerfile_RestoresInItsOwnLayer_RunsAsNonRoot_AndChecksHealthz()
    {
        var lines = File.ReadAllLines(Repository.PathOf("Dockerfile"));
        var restore = Array.FindIndex(lines, l => l.StartsWith("RUN dotnet restore", StringComparison.Ordinal));
        var copySources = Array.FindIndex(lines, l => l.StartsWith("COPY src/ src/", StringComparison.Ordinal));
        var lastStage = Array.FindLastIndex(lines, l => l.StartsWith("FROM ", StringComparison.Ordinal));

        Assert.True(restore > 0 && restore < copySources, "restore comes before the sources are copied");
        Assert.Equal(["build", "sandbox", "worker"], DockerfileStages());
        Assert.Contains(lines.Skip(lastStage), l => l.Trim() == "USER $APP_UID");
        // /app is not writable by that user: the FileSystem sink writes under /data/output, made its own before USER.
        var user = Array.FindLastIndex(lines, l => l.Trim() == "USER $APP_UID");
        Assert.Contains(lines.Skip(lastStage).Take(user - lastStage), l => l.StartsWith("RUN mkdir -p", StringComparison.Ordinal) && l.Contains("/data/output", StringComparison.Ordinal) && l.Contains("chown", StringComparison.Ordinal));
        Assert.Contains(lines.Skip(lastStage), l => l.Trim().StartsWith("FollowUp__OutputPath=/data/output", StringComparison.Ordinal));
        // appsettings.json's demo source is relative to /app, where that user cannot create a folder: a link to /data/inbox
        // is there, not a Sources__0__Path setting, which would override a configuration's own first source.
        Assert.Contains(lines.Skip(lastStage).Take(user - lastStage), l => l.StartsWith("RUN mkdir -p", StringComparison.Ordinal) && l.Contains("ln -s /data/inbox /app/inbox", StringComparison.Ordinal));
        Assert.DoesNotContain(lines.Skip(lastStage), l => l.Contains("Sources__", StringComparison.Ordinal));
        Assert.Equal("inbox", JsonDocument.Parse(File.ReadAllText(Repository.PathOf("appsettings.json")), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }).RootElement.GetProperty("Sources")[0].GetProperty("Path").GetString());
        Assert.Contains(lines.Skip(lastStage), l => l.StartsWith("HEALTHCHECK", StringComparison.Ordinal));
        Assert.Contains("/healthz", HealthcheckCommand(), StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains(PublishedApp.PublishCommand, StringComparison.Ordinal));

        // Every project the Worker builds from has its project file copied before the restore.
        var copied = lines.Take(restore).Where(l => l.StartsWith("COPY src/", StringComparison.Ordinal)).Select(l => l.Split(' ')[1]).ToHashSet(StringComparer.Ordinal);
        Assert.All(ProjectClosure("src/Worker/Worker.csproj"), project => Assert.Contains(project, copied));
    }

    /// <summary>The HEALTHCHECK's command line, as the shell would run it.</summary>
    internal static string HealthcheckCommand()
    {
        var text = File.ReadAllText(Repository.PathOf("Dockerfile")).Replace("\\\n", " ", StringComparison.Ordinal);
        var exec = HealthcheckExec().Match(text);
        Assert.True(exec.Success, "HEALTHCHECK uses the exec form");
        return System.Text.Json.JsonSerializer.Deserialize<string[]>(exec.Groups[1].Value)![2];
    }

    internal static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var errors = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await output + await errors);
    }

    private static List<string> DockerfileStages() =>
        [.. File.ReadAllLines(Repository.PathOf("Dockerfile")).Select(l => StageName().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value)];

    private static HashSet<string> ProjectClosure(string project)
    {
        var found = new HashSet<string>(StringComparer.Ordinal) { project };
        var folder = Path.GetDirectoryName(project)!;
        foreach (Match reference in ProjectReference().Matches(File.ReadAllText(Repository.PathOf(project))))
        {
            var path = Path.GetRelativePath(Repository.Root, Path.GetFullPath(Path.Combine(Repository.Root, folder, reference.Groups[1].Value))).Replace('\\', '/');
            found.UnionWith(ProjectClosure(path));
        }

        return found;
    }

    private static List<YamlMappingNode> Load(string relative)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Repository.PathOf(relative));
        stream.Load(reader);
        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node[key];

    [GeneratedRegex(@"^FROM \S+ AS (\S+)", RegexOptions.IgnoreCase)]
    private static partial Regex StageName();

    [GeneratedRegex("<ProjectReference Include=\"([^\"]+)\"")]
    private static partial Regex ProjectReference();

    [GeneratedRegex(@"HEALTHCHECK[^\n]*?CMD (\[.*\])")]
    private static partial Regex HealthcheckExec();
}
