/**
 * Loads every function's entry point as a fresh Cloud Run instance would, then prints which functions the
 * Functions Framework has registered and which Google Cloud client libraries got loaded along the way.
 * Run in its own process with an environment holding no Google credentials.
 */
import { join } from 'node:path';
import { getFunction } from '@google-cloud/functions-framework/testing';
import { FUNCTIONS } from '../../../shared/topology/topology';

const ROOT = join(__dirname, '..', '..', '..');
const registered: Record<string, string> = {};
for (const f of FUNCTIONS) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(join(ROOT, 'functions', f.folder, 'index.ts'));
  registered[f.name] = typeof getFunction(f.name);
}
const sdks = new Set<string>();
for (const path of Object.keys(require.cache)) {
  const m = /node_modules\/(@google-cloud\/[^/]+|@duckdb\/[^/]+|google-gax|google-auth-library)\//.exec(path);
  if (m && m[1] !== '@google-cloud/functions-framework') sdks.add(m[1]);
}
process.stdout.write(JSON.stringify({ registered, sdks: [...sdks].sort() }));
