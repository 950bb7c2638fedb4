using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Webhooks;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Sandbox.Tests.Compatibility;

/// <summary>
/// The JSON bodies our client sends, made by the client's own code and serialised by its own JSON context,
/// written as <c>bodies.json</c> (sent by sdk/e2e.mjs) and <c>bodies.ts</c> (each body declared with the SDK
/// type it must satisfy, checked by the TypeScript compiler with excess-property checks): a body the SDK's
/// types refuse fails the test. The v1 job_config variants are declared as their own types, since the
/// union alone lets a classify config without a required field pass as the all-optional parse variant.
/// </summary>
internal static class ClientBodies
{
    private static readonly LlamaCloudJsonContext Json = LlamaCloudJsonContext.Default;

    /// <summary>Writes both files into <paramref name="folder"/>; <paramref name="projectId"/> is the Sandbox's own project.</summary>
    public static void Write(string folder, string projectId)
    {
        var webhooks = new BatchWebhooks(Options.Create(new WebhookOptions { PublicUrl = new Uri("https://example.invalid/webhooks/llamacloud"), SigningSecret = "whsec-test" }), new NoLiveness());
        var classify = V1JobConfig.Classify(projectId, "batchorchestrator", [new V1ClassifyRule("invoice", "A bill with an amount due"), new V1ClassifyRule("letter", "Correspondence")]);
        var bodies = new (string Name, string Type, string Json)[]
        {
            ("directory", "LlamaCloud.Beta.DirectoryCreateParams", JsonSerializer.Serialize(new CreateDirectoryRequest("sdk-bodies", "ephemeral"), Json.CreateDirectoryRequest)),
            ("batch", "LlamaCloud.BatchCreateParams", JsonSerializer.Serialize(
                new CreateBatchRequest("DIRECTORY", new RemoteBatchConfig(new RemoteBatchJob("parse_v2", "cfg-PARSE_AGENTIC")), webhooks.ForNewBatch()), Json.CreateBatchRequest)),
            ("v1_classify_config", "V1.Classifier.Jobs.ClassifyJob", JsonSerializer.Serialize(classify, Json.V1JobConfig)),
            ("v1_parse_config", "V1.Beta.Batch.BatchCreateParams.BatchParseJobRecordCreate", JsonSerializer.Serialize(V1JobConfig.Parse(), Json.V1JobConfig)),
            ("v1_parse_tier_config", "V1.Beta.Batch.BatchCreateParams.BatchParseJobRecordCreate", JsonSerializer.Serialize(V1JobConfig.Parse("cost_effective"), Json.V1JobConfig)),
            ("v1_classify", "V1.Beta.Batch.BatchCreateParams", JsonSerializer.Serialize(new V1CreateRequest(classify, DirectoryId: "DIRECTORY"), Json.V1CreateRequest)),
            ("v1_parse", "V1.Beta.Batch.BatchCreateParams", JsonSerializer.Serialize(
                new V1CreateRequest(V1JobConfig.Parse(), DirectoryId: "DIRECTORY", PageSize: 25, ContinueAsNewThreshold: 50), Json.V1CreateRequest)),
            ("v1_cancel", "V1.Beta.Batch.BatchCancelParams", JsonSerializer.Serialize(new V1CancelRequest("cancelled by an operator"), Json.V1CancelRequest)),
        };

        var all = new JsonObject();
        var ts = new StringBuilder("""
            // Written by SdkCompatibilityFacts from the client's own serialisation: do not edit.
            import type LlamaCloud from '@llamaindex/llama-cloud';
            import type V1 from 'llama-cloud-2-13';

            """);
        foreach (var (name, type, json) in bodies)
        {
            all[name] = JsonNode.Parse(json);
            ts.Append("export const ").Append(name).Append(": ").Append(type).Append(" = ").Append(json).Append(";\n");
        }

        File.WriteAllText(Path.Combine(folder, "bodies.json"), all.ToJsonString());
        File.WriteAllText(Path.Combine(folder, "bodies.ts"), ts.ToString());
    }

    /// <summary>Only the body is wanted here; no batch is submitted, so no delivery is ever expected.</summary>
    private sealed class NoLiveness : IWebhookLivenessStore
    {
        public Task ExpectAsync(long batchId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> RecordDeliveryAsync(string remoteBatchId, bool announcesEnd, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<MissedWebhook>> FlagMissedAsync(TimeSpan margin, int max, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
