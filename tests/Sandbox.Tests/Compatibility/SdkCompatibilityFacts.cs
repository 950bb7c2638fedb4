namespace BatchOrchestrator.Sandbox.Tests.Compatibility;

/// <summary>
/// The official TypeScript SDK (@llamaindex/llama-cloud 2.16.0, and 2.13.0 under the alias llama-cloud-2-13
/// for the v1 batch-processing group; installed with npm ci into the test output, where node_modules stays
/// cached between runs) drives the Sandbox through every endpoint our client uses (sdk/e2e.mjs), after the
/// TypeScript compiler has checked the bodies our client sends against the SDK's types (<see cref="ClientBodies"/>).
/// One node process for all of it.
/// </summary>
public sealed class SdkCompatibilityFacts
{
    private static readonly string SdkFolder = Path.Combine(AppContext.BaseDirectory, "sdk");
    private static readonly string[] Packages = ["@llamaindex/llama-cloud", "llama-cloud-2-13", "typescript"];
    private const string OtherProject = "prj-00000000-0000-4000-8000-0000000000aa";

    [Fact]
    public async Task OfficialTypeScriptSdks_DriveEveryEndpointWeUse_AndOurBodiesTypeCheck()
    {
        var node = FindOnPath("node");
        var npm = FindOnPath("npm");
        if (node is null || npm is null)
        {
            Assert.Skip("node and npm are not on PATH; the official TypeScript SDK test needs them (node 18+).");
        }

        if (!Packages.All(p => File.Exists(Path.Combine(SdkFolder, "node_modules", p, "package.json"))))
        {
            var (installed, installLog) = await RunAsync(npm, ["ci", "--no-audit", "--no-fund"], new Dictionary<string, string>(), TimeSpan.FromSeconds(180));
            Assert.True(installed == 0, $"npm ci failed ({installed}):\n{installLog}");
        }

        await using var sandbox = await TestSandbox.StartAsync();
        ClientBodies.Write(SdkFolder, sandbox.Options.DefaultProjectId);
        var (exit, output) = await RunAsync(node, ["e2e.mjs"], new Dictionary<string, string>
        {
            ["LLAMA_CLOUD_BASE_URL"] = sandbox.Server.BaseAddress.AbsoluteUri.TrimEnd('/'),
            ["LLAMA_CLOUD_API_KEY"] = TestSandbox.ApiKey,
            ["SANDBOX_OTHER_PROJECT"] = OtherProject,
        }, TimeSpan.FromSeconds(90));

        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
        Assert.True(line is not null, $"node e2e.mjs printed no summary ({exit}):\n{output}");
        var summary = JsonNode.Parse(line)!;
        Assert.True(exit == 0, $"node e2e.mjs failed ({exit}): {summary["type_errors"]?.ToJsonString()}\n{output}");
        Assert.Empty(summary["type_errors"]!.AsArray());

        // The v2 flow, as our client runs it.
        Assert.StartsWith("dir-", (string)summary["directory"]!, StringComparison.Ordinal);
        Assert.Equal((string)summary["directory"]!, (string)summary["found_by_name"]!.AsArray().Single()!);
        Assert.Equal((string)summary["uploads"]![0]!["id"]!, (string)summary["found_by_unique_id"]!.AsArray().Single()!);
        Assert.Equal("hello", (string)summary["uploads"]![0]!["unique_id"]!);
        Assert.Equal("sdk-test", (string)summary["uploads"]![0]!["metadata"]!["source"]!);
        Assert.Equal(new[] { "hello", "notes.md" }, summary["listed_files"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("PENDING", (string)summary["batch"]!["created_status"]!);
        Assert.Equal("COMPLETED", (string)summary["batch"]!["final_status"]!);
        Assert.Equal(2, (int)summary["batch"]!["results"]!);
        Assert.Equal((string)summary["batch"]!["id"]!, (string)summary["listed_batches"]!.AsArray().Single()!);
        var parsed = summary["parsed"]!.AsArray();
        Assert.All(parsed, p => Assert.Equal("COMPLETED", (string)p!["status"]!));
        Assert.Equal("Hello from the SDK\nInvoice number: SDK-1", (string)parsed[0]!["text_full"]!);
        Assert.Equal(2, (int)parsed[1]!["markdown_pages"]!);
        Assert.Equal(2, summary["bulk"]!.AsArray().Count);
        Assert.Equal("2026-09-07", (string)summary["versions"]!["latest"]!["agentic"]!);

        // Extract, deletes, scoping.
        Assert.Equal("COMPLETED", (string)summary["extract"]!["status"]!);
        Assert.Equal("SDK-1", (string)summary["extract"]!["result"]!["invoice_number"]!);
        Assert.Single(summary["extract"]!["listed"]!.AsArray());
        Assert.StartsWith("pjb-", (string)summary["deletes"]!["parse"]!["id"]!, StringComparison.Ordinal); // the SDK's ParsingDeleteResponse
        Assert.Equal(sandbox.Options.DefaultProjectId, (string)summary["deletes"]!["parse"]!["project_id"]!);
        Assert.Equal((404, 404), ((int)summary["deletes"]!["parse_again"]!, (int)summary["deletes"]!["directory_again"]!));
        Assert.Equal(OtherProject, (string)summary["scoping"]!["project_id"]!);
        Assert.Equal(404, (int)summary["scoping"]!["from_the_keys_project"]!);

        // v1 through SDK 2.13.0, with our job_configs.
        var v1 = summary["v1"]!;
        Assert.Equal(("classify", "completed", 1, 100.0), ((string)v1["job_type"]!, (string)v1["final_status"]!, (int)v1["total_items"]!, (double)v1["progress"]!));
        Assert.Single(v1["listed"]!.AsArray());
        Assert.Contains((string)v1["label"]!, new[] { "invoice", "letter" });
        Assert.Equal("pending", (string)v1["parse_created"]!);
        Assert.Equal(409, (int)v1["cancel_finished"]!);

        // What the SDK's types refuse, the Sandbox refuses: 422 at the field.
        var invalid = summary["invalid"]!;
        Assert.Equal((422, "body.job_config.user_id"), ((int)invalid["classify_without_user_id"]!["status"]!, (string)invalid["classify_without_user_id"]!["loc"]!));
        Assert.Equal((422, "body.job_config.job_name"), ((int)invalid["wrong_job_name"]!["status"]!, (string)invalid["wrong_job_name"]!["loc"]!));
        Assert.Equal((422, "body.page_size"), ((int)invalid["page_size_null"]!["status"]!, (string)invalid["page_size_null"]!["loc"]!));
        Assert.Equal((422, "body.config.job.type"), ((int)invalid["batch_job_type"]!["status"]!, (string)invalid["batch_job_type"]!["loc"]!));
        Assert.Equal((422, "body.config.job.configuration_id"), ((int)invalid["undocumented_preset"]!["status"]!, (string)invalid["undocumented_preset"]!["loc"]!));

        // Failing and skipped files, whose answers are checked below with the rest.
        Assert.Equal("failed", (string)summary["failures"]!["v1_items"]![0]!);
        Assert.Equal("already_processed", (string)summary["failures"]!["skipped_items"]![0]!);

        // Every answer the SDKs received, in the shape their response types declare (sdk/responses.mjs).
        var responses = summary["responses"]!;
        Assert.True(responses["errors"]!.AsArray().Count == 0, string.Join('\n', responses["errors"]!.AsArray().Select(e => (string)e!)));
        Assert.True((int)responses["checked"]! > 40, $"only {responses["checked"]} answers were checked");
        Assert.Contains("POST /api/v2/parse/upload", responses["routes"]!.AsArray().Select(r => (string)r!)); // multipart, ParsingCreateResponse
        Assert.Equal("Uploaded page", (string)summary["parse_upload"]!);
        Assert.Equal( // each answered 204, and with no body (an error above otherwise)
            [
                "DELETE /api/v1/beta/configurations/{id}", "DELETE /api/v1/beta/directories/{id}", "DELETE /api/v1/beta/directories/{id}/files/{id}",
                "DELETE /api/v1/beta/files/{id}", "DELETE /api/v1/beta/webhook-configs/{id}",
            ],
            responses["no_content"]!.AsArray().Select(r => (string)r!));

        // Error bodies, and Retry-After obeyed.
        var errors = summary["errors"]!;
        Assert.Equal((404, "Not Found"), ((int)errors["not_found"]!["status"]!, (string)errors["not_found"]!["body"]!["detail"]!));
        Assert.Equal((405, "Method Not Allowed"), ((int)errors["method"]!["status"]!, (string)errors["method"]!["body"]!["detail"]!));
        Assert.Equal((404, 401, 409), ((int)errors["unknown_batch"]!, (int)errors["unauthorized"]!, (int)errors["cancel_finished"]!));
        Assert.True((int)summary["retry_after"]!["waited_ms"]! >= 650, $"the SDK retried after {summary["retry_after"]!["waited_ms"]} ms; the 429 asked for 700");
        Assert.Equal(1, (int)summary["retry_after"]!["rate_limited"]!);
    }

    private static string? FindOnPath(string name)
    {
        string[] names = OperatingSystem.IsWindows() ? [name + ".cmd", name + ".exe"] : [name];
        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(dir => names.Select(n => Path.Combine(dir, n)))
            .FirstOrDefault(File.Exists);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments, Dictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = SdkFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timer.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timer.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(file)} {string.Join(' ', arguments)} did not finish in {timeout}:\n{output}");
        }

        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }
}
