// Drives the official TypeScript SDK (@llamaindex/llama-cloud 2.16.0, and 2.13.0 as "llama-cloud-2-13" for the
// legacy v1 batch-processing group) against the Sandbox through every endpoint BatchOrchestrator uses, and
// type-checks the bodies our client sends (bodies.ts, written by SdkCompatibilityFacts) with the SDK's .d.ts.
// Reads LLAMA_CLOUD_BASE_URL and LLAMA_CLOUD_API_KEY like any SDK user, plus SANDBOX_OTHER_PROJECT; prints one
// JSON summary and exits non-zero if the bodies do not type-check.
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import LlamaCloud, { toFile } from '@llamaindex/llama-cloud';
import LlamaCloud13 from 'llama-cloud-2-13';
import { checkResponses, recordingFetch } from './responses.mjs';

const base = process.env.LLAMA_CLOUD_BASE_URL;
const otherProject = process.env.SANDBOX_OTHER_PROJECT;
const client = new LlamaCloud({ maxRetries: 3, timeout: 20_000, fetch: recordingFetch });
const v1 = new LlamaCloud13({ maxRetries: 3, timeout: 20_000, fetch: recordingFetch });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const terminal = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
const summary = {};

// 1. Our bodies against the SDK's types (strict, excess-property checks on object literals).
const program = ts.createProgram(['bodies.ts'], {
  noEmit: true, strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true, types: [],
});
summary.type_errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
const bodies = JSON.parse(readFileSync('bodies.json', 'utf8'));

async function pollUntil(fetch, done, what) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await fetch();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function failure(promise) {
  try {
    await promise;
    return { status: 'no error' };
  } catch (error) {
    return { status: error.status ?? String(error), body: error.error };
  }
}

const admin = (path, body) => fetch(`${base}/_sandbox/${path}`, body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : undefined).then((r) => r.json());

// 2. The v2 flow: directory -> upload -> batch -> poll -> results -> parse jobs, as our client runs it.
const directory = await client.beta.directories.create({ ...bodies.directory, name: `sdk-e2e-${Date.now()}` });
const uploads = [
  await client.beta.directories.files.upload(directory.id, {
    upload_file: await toFile(Buffer.from('Hello from the SDK\nInvoice number: SDK-1\n'), 'hello.txt'),
    unique_id: 'hello', display_name: 'hello.txt', metadata: JSON.stringify({ source: 'sdk-test' }),
  }),
  await client.beta.directories.files.upload(directory.id, { upload_file: await toFile(Buffer.from('# Notes\n\nPage one.\fPage two.'), 'notes.md') }),
];
const found = [];
for await (const file of client.beta.directories.files.list(directory.id, { page_size: 1 })) found.push(file.unique_id);
summary.directory = directory.id;
summary.found_by_name = (await client.beta.directories.list({ name: directory.name })).items.map((d) => d.id);
summary.found_by_unique_id = (await client.beta.directories.files.list(directory.id, { unique_id: 'hello' })).items.map((f) => f.id);
summary.uploads = uploads.map((u) => ({ id: u.id, unique_id: u.unique_id, metadata: u.metadata, file_id: u.file_id }));
summary.listed_files = found;

const { webhook_configurations: _hooks, ...batchBody } = bodies.batch; // no receiver here: the body's shape is checked above
const created = await client.batches.create({ ...batchBody, source_directory_id: directory.id });
const finished = await pollUntil(() => client.batches.get(created.id), (b) => terminal.has(b.status), 'the batch');
const expanded = await client.batches.get(created.id, { expand: ['results'] });
const listed = [];
for await (const batch of client.batches.list({ source_directory_id: directory.id, page_size: 1 })) listed.push(batch.id);
summary.batch = { id: created.id, created_status: created.status, final_status: finished.status, results: expanded.results?.length ?? 0 };
summary.listed_batches = listed;

const jobIds = expanded.results.map((r) => r.job_reference.id);
const parsed = [];
for (const id of jobIds) {
  const job = await pollUntil(() => client.parsing.get(id, { expand: ['text_full', 'markdown_full', 'markdown', 'text', 'items', 'metadata', 'forms', 'job_metadata', 'images_content_metadata', 'usage'] }), (r) => terminal.has(r.job.status), 'the parse job');
  parsed.push({ status: job.job.status, text_full: job.text_full, markdown_pages: job.markdown?.pages?.length ?? 0 });
}
summary.parsed = parsed;
// Bulk status reads: job_ids as the SDK encodes arrays (repeated keys).
summary.bulk = (await client.parsing.list({ job_ids: jobIds, page_size: jobIds.length })).items.map((j) => j.id).sort();
summary.versions = await client.parsing.listVersions();

// 3. Extract: a saved configuration, a job, the bulk list, then its delete.
const configuration = await client.configurations.create({
  name: `sdk-extract-${Date.now()}`,
  parameters: { product_type: 'extract_v2', data_schema: { type: 'object', properties: { invoice_number: { type: 'string' } } } },
});
const extract = await client.extract.create({ file_input: uploads[0].id, configuration_id: configuration.id });
// Expanded as our client reads it (usage and configuration, for what was billed and at which tier), so 10. checks those too.
const extracted = await pollUntil(() => client.extract.get(extract.id, { expand: ['usage', 'configuration'] }), (j) => terminal.has(j.status), 'the extract job');
summary.extract = {
  status: extracted.status,
  result: extracted.extract_result,
  listed: (await client.extract.list({ job_ids: [extract.id], expand: ['configuration', 'extract_metadata'] })).items.map((j) => j.id),
  deleted: await client.extract.delete(extract.id),
};

// 3b. The other routes the Sandbox serves, called once each so that 10. checks the shapes of their answers.
const tolerate = (promise) => promise.catch((error) => ({ error: error.status ?? String(error) }));
const extraFile = await client.files.create({ file: await toFile(Buffer.from('Extra page'), 'extra.txt'), purpose: 'parse' });
await client.files.list({ page_size: 1 });
await client.files.retrieve(extraFile.id);
await client.files.content(extraFile.id);
const added = await client.beta.directories.files.add(directory.id, { file_id: extraFile.id, unique_id: 'extra' });
await client.beta.directories.files.update(added.id, { directory_id: directory.id, display_name: 'extra-renamed.txt' });
await client.beta.directories.update(directory.id, { description: 'shapes' });
await client.configurations.list({ page_size: 1 });
await client.configurations.retrieve(configuration.id);
await client.configurations.update(configuration.id, { name: `${configuration.name}-renamed` });
const hook = await client.webhookConfigs.create({ webhook_url: 'https://example.invalid/hooks', webhook_events: ['batch.success'] });
await client.webhookConfigs.list();
await client.webhookConfigs.retrieve(hook.id);
await client.webhookConfigs.update(hook.id, { webhook_output_format: 'json' });
await client.webhookConfigs.delete(hook.id);
const extraParse = await client.parsing.create({ tier: 'fast', version: 'latest', file_id: extraFile.id });
// With upload_file the SDK posts multipart to /api/v2/parse/upload, the configuration as a JSON text field.
const uploadedParse = await client.parsing.create({ tier: 'fast', version: 'latest', upload_file: await toFile(Buffer.from('Uploaded page'), 'uploaded.txt') });
summary.parse_upload = (await pollUntil(() => client.parsing.get(uploadedParse.id, { expand: ['text_full'] }), (r) => terminal.has(r.job.status), 'the uploaded parse job')).text_full;
await tolerate(client.parsing.cancel(extraParse.id, {}, { maxRetries: 0 }));
const extraExtract = await client.extract.create({ file_input: extraFile.id, configuration_id: configuration.id });
await tolerate(client.extract.cancel(extraExtract.id, {}, { maxRetries: 0 }));
const cancelledBatch = await client.batches.create({ ...batchBody, source_directory_id: directory.id });
await tolerate(client.batches.cancel(cancelledBatch.id, {}, { maxRetries: 0 })); // at once: most likely still running

// 4. Deletes, as remote hygiene sends them; a second delete is a 404.
const storedFile = (await client.beta.directories.files.get(uploads[0].id, { directory_id: directory.id })).file_id;
summary.deletes = {
  parse: await client.parsing.delete(jobIds[0]),
  directory_file: await client.beta.directories.files.delete(uploads[0].id, { directory_id: directory.id }),
  stored_file: await client.files.delete(storedFile),
  directory: await client.beta.directories.delete(directory.id),
  parse_again: (await failure(client.parsing.delete(jobIds[0], {}, { maxRetries: 0 }))).status,
  directory_again: (await failure(client.beta.directories.get(directory.id, {}, { maxRetries: 0 }))).status,
};

// 5. Project scoping: a resource made in another project is seen only from there.
const scoped = await client.beta.directories.create({ name: `sdk-scoped-${Date.now()}`, project_id: otherProject });
summary.scoping = {
  project_id: scoped.project_id,
  from_its_project: (await client.beta.directories.get(scoped.id, { project_id: otherProject })).id,
  from_the_keys_project: (await failure(client.beta.directories.get(scoped.id, {}, { maxRetries: 0 }))).status,
};

// 6. v1 batch-processing through 2.13.0, with the job_configs our client sends.
const v1dir = await v1.beta.directories.create({ name: `sdk-v1-${Date.now()}`, type: 'ephemeral' });
await v1.beta.directories.files.upload(v1dir.id, { upload_file: await toFile(Buffer.from('Invoice 7, amount due 12.00'), 'bill.txt') });
const v1job = await v1.beta.batch.create({ ...bodies.v1_classify, directory_id: v1dir.id });
const v1done = await pollUntil(() => v1.beta.batch.getStatus(v1job.id), (s) => s.job.status === 'completed', 'the v1 job');
const items = [];
for await (const item of v1.beta.batch.jobItems.list(v1job.id, { limit: 1 })) items.push(item);
const v1listed = [];
for await (const job of v1.beta.batch.list({ directory_id: v1dir.id, job_type: 'classify', limit: 1 })) v1listed.push(job.id);
const v1parse = await v1.beta.batch.create({ ...bodies.v1_parse, directory_id: v1dir.id });
// Cancelled at once, while it is most likely still running, so that 10. sees a cancel's answer too; a 409 if not.
const v1parseCancelled = await v1.beta.batch.cancel(v1parse.id, {}, { maxRetries: 0 }).then((r) => r.status, (e) => e.status);
summary.v1 = {
  job_type: v1job.job_type,
  final_status: v1done.job.status,
  total_items: v1done.job.total_items,
  progress: v1done.progress_percentage,
  listed: v1listed,
  label: (await v1.classifier.jobs.getResults(items[0].job_id)).items[0]?.result?.type,
  processing_results: (await v1.beta.batch.jobItems.getProcessingResults(items[0].item_id, { job_type: 'classify' })).processing_results?.length,
  parse_created: v1parse.status,
  parse_cancelled: v1parseCancelled,
  cancel_finished: (await failure(v1.beta.batch.cancel(v1job.id, bodies.v1_cancel, { maxRetries: 0 }))).status,
};

// 6b. The answers of failure and skipping, for 10.: every file fails for a while (a fault), then a classify job over
// files the first one already classified with the same config skips them.
const v1terminal = (s) => ['completed', 'failed', 'cancelled'].includes(s.job.status);
await admin('faults', { file_failure_rate: 1 });
const failingBatch = await client.batches.create({ ...batchBody, source_directory_id: v1dir.id });
const failedBatch = await pollUntil(() => client.batches.get(failingBatch.id, { expand: ['results'] }), (b) => terminal.has(b.status), 'the failing batch');
for (const result of failedBatch.results ?? []) {
  if (result.job_reference) await pollUntil(() => client.parsing.get(result.job_reference.id), (r) => terminal.has(r.job.status), 'the failing parse job');
}
const failingV1 = await v1.beta.batch.create({ job_config: bodies.v1_parse_tier_config, directory_id: v1dir.id });
await pollUntil(() => v1.beta.batch.getStatus(failingV1.id), v1terminal, 'the failing v1 job');
const failedItems = (await v1.beta.batch.jobItems.list(failingV1.id)).items;
const failedExtract = await client.extract.create({ file_input: extraFile.id, configuration_id: configuration.id });
await pollUntil(() => client.extract.get(failedExtract.id), (j) => terminal.has(j.status), 'the failing extract job');
await admin('faults', { file_failure_rate: 0 });
const skipping = await v1.beta.batch.create({ ...bodies.v1_classify, directory_id: v1dir.id });
await pollUntil(() => v1.beta.batch.getStatus(skipping.id), v1terminal, 'the skipping v1 job');
summary.failures = {
  batch: failedBatch.status,
  v1_items: failedItems.map((i) => i.status),
  skipped_items: (await v1.beta.batch.jobItems.list(skipping.id)).items.map((i) => i.skip_reason),
};

// 7. Bodies the SDK's types refuse are refused: a 422 with FastAPI's detail list.
const { user_id: _user, ...noUser } = bodies.v1_classify_config;
const invalid = async (make) => {
  const { status, body } = await failure(make());
  return { status, loc: body?.detail?.[0]?.loc?.join('.') };
};
summary.invalid = {
  classify_without_user_id: await invalid(() => v1.beta.batch.create({ job_config: noUser, directory_id: v1dir.id }, { maxRetries: 0 })),
  wrong_job_name: await invalid(() => v1.beta.batch.create({ job_config: { job_name: 'PARSE_RAW_FILE' }, directory_id: v1dir.id }, { maxRetries: 0 })),
  page_size_null: await invalid(() => v1.beta.batch.create({ job_config: {}, directory_id: v1dir.id, page_size: null }, { maxRetries: 0 })),
  batch_job_type: await invalid(() => client.batches.create({ source_directory_id: v1dir.id, config: { job: { type: 'parse_v3', configuration_id: 'cfg-PARSE_AGENTIC' } } }, { maxRetries: 0 })),
  undocumented_preset: await invalid(() => client.batches.create({ source_directory_id: v1dir.id, config: { job: { type: 'parse_v2', configuration_id: 'cfg-PARSE_FAST' } } }, { maxRetries: 0 })),
};

// 7b. The last delete that answers 204 (4. made the others): the configuration, now that no job needs it.
await client.configurations.delete(configuration.id);

// 8. Error bodies of routes and methods the service does not have.
summary.errors = {
  not_found: await failure(client.get('/api/v2/nothing-here', { maxRetries: 0 })),
  method: await failure(client.put('/api/v2/batches', { maxRetries: 0 })),
  unknown_batch: (await failure(client.batches.get('bat-00000000-0000-0000-0000-000000000000', {}, { maxRetries: 0 }))).status,
  unauthorized: (await failure(new LlamaCloud({ apiKey: 'llx-wrong', maxRetries: 0 }).batches.list().then((page) => page.items))).status,
  // Stainless SDKs retry 409 by default; a terminal batch stays terminal, so do not wait for retries.
  cancel_finished: (await failure(client.batches.cancel(created.id, {}, { maxRetries: 0 }))).status,
};

// 9. Retry-After: the SDK waits as long as the 429 says, then succeeds.
await admin('faults', { too_many_requests_burst: 1, retry_after_ms: 700, retry_after_format: 'ms', routes: ['GET /api/v2/parse/versions'] });
const started = Date.now();
await client.parsing.listVersions({ maxRetries: 1 });
summary.retry_after = { waited_ms: Date.now() - started, rate_limited: (await admin('counters')).responses_by_status['429'] ?? 0 };

// 10. Every answer above, in the shape the SDK's response types declare (responses.mjs).
summary.responses = checkResponses();

console.log(JSON.stringify(summary));
process.exitCode = summary.type_errors.length === 0 ? 0 : 3;
