/** Builds the dashboard into a fresh temp directory, as the local stack builds it. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDashboard as buildInto } from '../../../local-stack/dashboard-build';

export async function buildDashboard(): Promise<string> {
  return buildInto(mkdtempSync(join(tmpdir(), 'dashboard-dist-')));
}
