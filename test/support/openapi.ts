/**
 * Checks an HTTP answer against the OpenAPI document of its API: the operation for the method and path, the
 * response for the status, and the body against the schema in schemas/ that the document references.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateRef } from '../../shared/contracts/validation';

interface Operation {
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: { $ref?: string } }> }>;
}
interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components?: { responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> };
}

const docs = new Map<string, OpenApiDoc>();
function doc(api: string): OpenApiDoc {
  let d = docs.get(api);
  if (!d) {
    d = JSON.parse(
      readFileSync(join(__dirname, '..', '..', 'schemas', 'openapi', `${api}.json`), 'utf8'),
    ) as OpenApiDoc;
    docs.set(api, d);
  }
  return d;
}

/** The template of the document that `path` matches (`/portfolios/p-1` → `/portfolios/{portfolioId}`). */
function templateOf(d: OpenApiDoc, path: string): string {
  const found = Object.keys(d.paths).find((t) =>
    new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path.split('?')[0]),
  );
  if (!found) throw new Error(`the OpenAPI document has no path for ${path}`);
  return found;
}

/** Throws unless the document declares this answer and the body matches its schema. */
export function expectDocumented(
  api: string,
  method: string,
  path: string,
  status: number,
  body: unknown,
): void {
  const d = doc(api);
  const op = d.paths[templateOf(d, path)][method.toLowerCase()];
  if (!op) throw new Error(`${method} ${path} is not in the OpenAPI document`);
  let response = op.responses[String(status)];
  if (!response) throw new Error(`${method} ${path} answered ${status}, which the document does not declare`);
  if (response.$ref) response = d.components?.responses?.[response.$ref.split('/').pop() ?? ''] ?? {};
  const ref = response.content?.['application/json']?.schema?.$ref;
  if (!ref) throw new Error(`${method} ${path} ${status} declares no JSON body`);
  // '../api/portfolio-view.json#/$defs/x' → 'api/portfolio-view#/$defs/x'
  validateRef(ref.replace(/^\.\.\//, '').replace('.json', ''), body);
}

/** An event of the stream, checked against the schema the document names for its kind. */
export function expectDocumentedEvent(event: string, data: unknown): void {
  const op = doc('risk-api').paths['/stream'].get as unknown as {
    responses: { '200': { 'x-events': Record<string, { $ref: string }> } };
  };
  const ref = op.responses['200']['x-events'][event]?.$ref;
  if (!ref) throw new Error(`the stream declares no '${event}' event`);
  validateRef(ref.replace(/^\.\.\//, '').replace('.json', ''), data);
}
