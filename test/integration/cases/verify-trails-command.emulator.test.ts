/**
 * The operators' command `npm run verify-trails`: against the Firestore emulator and a DuckDB warehouse file, one
 * intact trail and one whose last event was deleted (the case's head moved back to hide it) — the command names
 * the case and the problem and exits 1; bad command lines exit 2.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FirestoreDocumentStore } from '../../../shared/adapters/gcp/firestore-document-store';
import { DuckDbWarehouse } from '../../../shared/adapters/local/duckdb-warehouse';
import { ManualClock } from '../../../shared/platform/clocks';
import {
  actOnCase,
  CASE_COLLECTIONS,
  eventIdOf,
  linkToCase,
  readTrail,
  type CaseDoc,
} from '../../../shared/use-cases/cases/case-store';
import { emulatorHosts, isolatedProjectId } from '../../support/env';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..', '..');

async function command(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'ops/verify-trails.ts', ...args], { cwd: ROOT, env });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

describe('npm run verify-trails', () => {
  it('verifies intact trails, reports a deleted last event with exit 1, and refuses a bad command line with 2', async () => {
    const projectId = isolatedProjectId('verify-trails');
    const host = emulatorHosts().firestoreHost;
    const file = join(mkdtempSync(join(tmpdir(), 'verify-trails-')), 'warehouse.duckdb');
    const store = new FirestoreDocumentStore({ projectId, emulatorHost: host });
    const warehouse = await DuckDbWarehouse.open(file);
    const deps = { store, warehouse, clock: new ManualClock('2026-12-04T10:00:00Z') };
    const officer = { id: 'ann@bank.test', roles: ['officer' as const] };
    const link = (id: string) => ({
      kind: 'aml_alert' as const,
      id,
      severity: 'WARNING' as const,
      at: '2026-12-04T09:00:00.000Z',
    });
    const intact = (await linkToCase(deps, 'user-1', link('aa_1'), 'r1')).caseId;
    const tampered = (await linkToCase(deps, 'user-2', link('aa_2'), 'r2')).caseId;
    await actOnCase(deps, tampered, { kind: 'start' }, officer, 1, 'r3');
    await warehouse.close();

    // Someone with database access removes the officer's event and moves the head back to hide it.
    const trail = await readTrail(store, tampered);
    const c = (await store.get<CaseDoc>(CASE_COLLECTIONS.cases, tampered)) as CaseDoc;
    await store.runTransaction(async (tx) => {
      tx.delete(CASE_COLLECTIONS.events, eventIdOf(tampered, 2));
      tx.set(CASE_COLLECTIONS.cases, tampered, { ...c, lastSeq: 1, lastHash: trail[0].hash });
    });
    await store.close();

    const env = { ...process.env, GOOGLE_CLOUD_PROJECT: projectId, FIRESTORE_EMULATOR_HOST: host };
    const one = await command(['--case', intact, '--duckdb', file], env);
    expect(one).toMatchObject({ code: 0 });
    expect(one.out).toContain(`${intact}  verified (1 events, 1 mirrored)`);
    const all = await command(['--all', '--duckdb', file], env);
    expect(all.code).toBe(1);
    expect(all.out).toContain(`${tampered}  NOT VERIFIED (1 events, 2 mirrored)`);
    expect(all.out).toContain('event 2: MISSING_FROM_STORE');
    expect(all.out).toContain('1 of 2 trail(s) verified');
    expect(await command(['--case', 'nope', '--duckdb', file], env)).toMatchObject({ code: 2 });
    expect(await command(['--all', '--case', intact], env)).toMatchObject({ code: 2 });
  });
});
