// Every JSON answer the SDKs received during e2e.mjs, checked by the TypeScript compiler against the response type
// the SDK declares for its route (strict, with excess-property checks): a required field missing, a required-but-
// nullable field left out instead of null, a JSON type or enum value outside the declared one, or a field name the
// SDK does not spell is a type error. 2.16.0 for the current routes, 2.13.0 for v1 batch-processing and classifier.
// A 204 must declare no body: the SDK returns null for one without reading it (internal/parse.js) and fetch never hands
// a 204's body out, so its Content-Length (or chunked Transfer-Encoding) is what would show one the service never sends.
import { writeFileSync } from 'node:fs';
import ts from 'typescript';

const file = '/(?:[^/]+)';
const cursorPage = (type) => `CursorPage<${type}>`;
const v1Page = (type) => `V1Page<${type}>`;

/** [method, path pattern, declared type]: the first match wins. */
const routes = [
  ['POST', '/api/v2/batches', 'LlamaCloud.BatchCreateResponse'],
  ['GET', '/api/v2/batches', cursorPage('LlamaCloud.BatchListResponse')],
  ['GET', `/api/v2/batches${file}`, 'LlamaCloud.BatchGetResponse'],
  ['POST', `/api/v2/batches${file}/cancel`, 'LlamaCloud.BatchCancelResponse'],
  ['POST', '/api/v2/parse(?:/upload)?', 'LlamaCloud.ParsingCreateResponse'],
  ['GET', '/api/v2/parse/versions', 'LlamaCloud.ParsingListVersionsResponse'],
  ['GET', '/api/v2/parse', cursorPage('LlamaCloud.ParsingListResponse')],
  ['GET', `/api/v2/parse${file}`, 'LlamaCloud.ParsingGetResponse'],
  ['POST', `/api/v2/parse${file}/cancel`, 'LlamaCloud.ParsingCancelResponse'],
  ['DELETE', `/api/v2/parse${file}`, 'LlamaCloud.ParsingDeleteResponse'],
  ['POST', '/api/v2/extract', 'LlamaCloud.ExtractV2Job'],
  ['GET', '/api/v2/extract', cursorPage('LlamaCloud.ExtractV2Job')],
  ['GET', `/api/v2/extract${file}`, 'LlamaCloud.ExtractV2Job'],
  ['POST', `/api/v2/extract${file}/cancel`, 'LlamaCloud.ExtractV2Job'],
  ['DELETE', `/api/v2/extract${file}`, 'unknown'],
  ['POST', '/api/v1/beta/configurations', 'LlamaCloud.ConfigurationResponse'],
  ['GET', '/api/v1/beta/configurations', cursorPage('LlamaCloud.ConfigurationResponse')],
  ['(?:GET|PUT)', `/api/v1/beta/configurations${file}`, 'LlamaCloud.ConfigurationResponse'],
  ['POST', '/api/v1/beta/webhook-configs', 'LlamaCloud.WebhookConfigResponse'],
  ['GET', '/api/v1/beta/webhook-configs', 'LlamaCloud.WebhookConfigListResponse'],
  ['(?:GET|PUT)', `/api/v1/beta/webhook-configs${file}`, 'LlamaCloud.WebhookConfigResponse'],
  ['POST', '/api/v1/beta/directories', 'LlamaCloud.Beta.DirectoryCreateResponse'],
  ['GET', '/api/v1/beta/directories', cursorPage('LlamaCloud.Beta.DirectoryListResponse')],
  ['GET', `/api/v1/beta/directories${file}`, 'LlamaCloud.Beta.DirectoryGetResponse'],
  ['PATCH', `/api/v1/beta/directories${file}`, 'LlamaCloud.Beta.DirectoryUpdateResponse'],
  ['POST', `/api/v1/beta/directories${file}/files/upload`, 'LlamaCloud.Beta.Directories.FileUploadResponse'],
  ['POST', `/api/v1/beta/directories${file}/files`, 'LlamaCloud.Beta.Directories.FileAddResponse'],
  ['GET', `/api/v1/beta/directories${file}/files`, cursorPage('LlamaCloud.Beta.Directories.FileListResponse')],
  ['GET', `/api/v1/beta/directories${file}/files${file}`, 'LlamaCloud.Beta.Directories.FileGetResponse'],
  ['PATCH', `/api/v1/beta/directories${file}/files${file}`, 'LlamaCloud.Beta.Directories.FileUpdateResponse'],
  ['POST', '/api/v1/beta/files', 'LlamaCloud.FileCreateResponse'],
  ['GET', '/api/v1/beta/files', cursorPage('LlamaCloud.FileListResponse')],
  ['GET', `/api/v1/beta/files${file}/content`, 'LlamaCloud.PresignedURL'],
  ['GET', `/api/v1/beta/files${file}`, 'LlamaCloud.FileRetrieveResponse'],
  ['POST', '/api/v1/beta/batch-processing', 'V1.Beta.Batch.BatchCreateResponse'],
  ['GET', '/api/v1/beta/batch-processing', v1Page('V1.Beta.Batch.BatchListResponse')],
  ['GET', `/api/v1/beta/batch-processing/items${file}/processing-results`, 'V1.Beta.Batch.JobItemGetProcessingResultsResponse'],
  ['GET', `/api/v1/beta/batch-processing${file}/items`, v1Page('V1.Beta.Batch.JobItemListResponse')],
  ['GET', `/api/v1/beta/batch-processing${file}`, 'V1.Beta.Batch.BatchGetStatusResponse'],
  ['POST', `/api/v1/beta/batch-processing${file}/cancel`, 'V1.Beta.Batch.BatchCancelResponse'],
  ['GET', `/api/v1/classifier/jobs${file}/results`, 'V1.Classifier.Jobs.JobGetResultsResponse'],
].map(([method, path, type]) => ({ pattern: new RegExp(`^${method} ${path}$`), type }));

const captured = [];
const noContent = [];

/** A route with its ids (path segments of 8 or more characters with a digit) written as {id}. */
const pattern = (route) => route.replace(/\/(?=[^/]*\d)[^/]{8,}/g, '/{id}');

/** A fetch for the SDK clients that keeps a copy of every successful JSON answer, and what each 204 declares of a body. */
export async function recordingFetch(url, init) {
  const response = await fetch(url, init);
  const route = `${(init?.method ?? 'GET').toUpperCase()} ${new URL(url).pathname}`;
  if (response.status === 204) {
    const length = Number(response.headers.get('content-length') ?? 0);
    const chunked = /chunked/i.test(response.headers.get('transfer-encoding') ?? '');
    const read = (await response.clone().text()).length; // 0 under fetch; kept should another fetch hand one out
    noContent.push({ route, body: chunked ? 'chunked' : length > 0 ? `${length} bytes` : read > 0 ? `${read} characters` : '' });
  } else if (response.ok && (response.headers.get('content-type') ?? '').includes('application/json')) {
    captured.push({ route, body: await response.clone().json() });
  }

  return response;
}

/** Type-checks what was captured; returns one message per mismatch, prefixed by the route that answered. */
export function checkResponses() {
  const lines = [
    "import type LlamaCloud from '@llamaindex/llama-cloud';",
    "import type V1 from 'llama-cloud-2-13';",
    "import type { PaginatedBatchItemsResponse as V1Page } from 'llama-cloud-2-13/core/pagination';",
    // The cursor lists' schema as the service writes it, typed where the SDK does not wrap it in its page class
    // (2.16.0 FileQueryResponse); PaginatedCursorResponse's non-null next_page_token is the page class's, and the
    // last page has no next token.
    'type CursorPage<T> = { items: Array<T>; next_page_token?: string | null; total_size?: number | null };',
  ];
  const header = lines.length;
  const routesByLine = [];
  const unmapped = [];
  for (const { route, body } of captured) {
    const match = routes.find((r) => r.pattern.test(route));
    if (!match) {
      unmapped.push(`${route}: no SDK response type mapped`);
      continue;
    }

    routesByLine.push(route);
    lines.push(`export const r${routesByLine.length}: ${match.type} = ${JSON.stringify(body)};`);
  }

  writeFileSync('responses.ts', lines.join('\n') + '\n');
  const program = ts.createProgram(['responses.ts'], {
    noEmit: true, strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true, types: [],
  });
  const errors = ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    const route = routesByLine[line - header] ?? 'responses.ts';
    return `${route}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
  const bodies204 = noContent.filter(({ body }) => body).map(({ route, body }) => `${route}: a 204 with a body (${body})`);
  return {
    checked: routesByLine.length,
    routes: [...new Set(routesByLine.map(pattern))].sort(),
    no_content: [...new Set(noContent.map(({ route }) => pattern(route)))].sort(),
    errors: [...new Set([...unmapped, ...errors, ...bodies204])],
  };
}
