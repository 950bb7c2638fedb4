// Drives the official TypeScript SDK (@llamaindex/llama-cloud) through the batch flow of the
// official example: directory -> upload -> batch -> poll -> results -> parse job.
// Reads LLAMA_CLOUD_BASE_URL and LLAMA_CLOUD_API_KEY like any SDK user; prints one JSON summary.
import LlamaCloud, { toFile } from '@llamaindex/llama-cloud';

const client = new LlamaCloud({ maxRetries: 3, timeout: 20_000 });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const terminal = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

async function pollUntil(fetch, done, what) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await fetch();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function statusOf(promise) {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return error.status ?? String(error);
  }
}

const directory = await client.beta.directories.create({
  name: `sdk-e2e-${Date.now()}`,
  type: 'ephemeral',
  expires_at: new Date(Date.now() + 2 * 24 * 3600 * 1000).toISOString(),
});
const uploads = [
  await client.beta.directories.files.upload(directory.id, {
    upload_file: await toFile(Buffer.from('Hello from the SDK\nInvoice number: SDK-1\n'), 'hello.txt'),
    unique_id: 'hello',
    display_name: 'hello.txt',
    metadata: JSON.stringify({ source: 'sdk-test' }),
  }),
  await client.beta.directories.files.upload(directory.id, {
    upload_file: await toFile(Buffer.from('# Notes\n\nPage one.\fPage two.'), 'notes.md'),
  }),
];

const found = [];
for await (const file of client.beta.directories.files.list(directory.id, { page_size: 1 })) {
  found.push(file.unique_id);
}

const created = await client.batches.create({
  source_directory_id: directory.id,
  config: { job: { type: 'parse_v2', configuration_id: 'cfg-PARSE_AGENTIC' } },
});
const finished = await pollUntil(() => client.batches.get(created.id), (b) => terminal.has(b.status), 'the batch');
const expanded = await client.batches.get(created.id, { expand: ['results'] });

const listed = [];
for await (const batch of client.batches.list({ source_directory_id: directory.id, page_size: 1 })) {
  listed.push(batch.id);
}

const parsed = [];
for (const result of expanded.results ?? []) {
  const job = await pollUntil(
    () => client.parsing.get(result.job_reference.id, { expand: ['text_full', 'markdown_full', 'markdown'] }),
    (r) => terminal.has(r.job.status),
    'the parse job',
  );
  parsed.push({
    file: result.source_directory_file_id,
    status: job.job.status,
    text_full: job.text_full,
    markdown_pages: job.markdown?.pages?.length ?? 0,
  });
}

const unauthorized = new LlamaCloud({ apiKey: 'llx-wrong', maxRetries: 0 });
console.log(JSON.stringify({
  directory: directory.id,
  uploads: uploads.map((u) => ({ id: u.id, unique_id: u.unique_id, metadata: u.metadata })),
  listed_files: found,
  batch: { id: created.id, created_status: created.status, final_status: finished.status, results: expanded.results?.length ?? 0 },
  listed_batches: listed,
  parsed,
  not_found_status: await statusOf(client.batches.get('bat-00000000-0000-0000-0000-000000000000')),
  unauthorized_status: await statusOf(unauthorized.batches.list().then((page) => page.items)),
  // Stainless SDKs retry 409 by default; a terminal batch stays terminal, so do not wait for retries.
  conflict_status: await statusOf(client.batches.cancel(created.id, {}, { maxRetries: 0 })),
}));
