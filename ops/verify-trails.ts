/**
 * `npm run verify-trails -- --case cs_… [--case …] | --all`: checks compliance case trails — each event against its
 * hash and its predecessor, the case's head against its last event, and every event against the warehouse mirror
 * (compliance.case_events) — and prints one line per case. Exit 0 when every trail verifies, 1 when any does not,
 * 2 for a bad command line or configuration.
 *
 * Where it reads: GOOGLE_CLOUD_PROJECT's Firestore and BigQuery (Application Default Credentials with
 * datastore.viewer and bigquery.dataViewer + jobUser), or with --duckdb FILE a local DuckDB warehouse and the
 * Firestore emulator named by FIRESTORE_EMULATOR_HOST.
 */
import { FirestoreDocumentStore } from '../shared/adapters/gcp/firestore-document-store';
import { BigQueryWarehouse } from '../shared/adapters/gcp/bigquery-warehouse';
import { DuckDbWarehouse } from '../shared/adapters/local/duckdb-warehouse';
import { systemClock } from '../shared/platform/clocks';
import type { DocumentStore } from '../shared/ports/document-store';
import type { Warehouse } from '../shared/ports/warehouse';
import { CASE_COLLECTIONS, type CaseDoc } from '../shared/use-cases/cases/case-store';
import { verifyCase } from '../shared/use-cases/cases/compliance-cases';
import { runAsProcess, withArgs, type CommandIo } from './command';

export type VerifyIo = CommandIo;

const USAGE = 'usage: verify-trails (--case cs_<32 hex> [--case …] | --all) [--duckdb FILE]';

export interface VerifyArgs {
  cases: string[];
  all: boolean;
  duckdb?: string;
}

export function parseVerifyArgs(argv: string[]): VerifyArgs | string {
  const a: VerifyArgs = { cases: [], all: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--all') a.all = true;
    else if (arg === '--case' || arg === '--duckdb') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) return `${arg} needs a value`;
      if (arg === '--case') a.cases.push(v);
      else a.duckdb = v;
    } else return `unexpected argument '${arg}'`;
  }
  if (a.all === a.cases.length > 0) return 'give either --case (one or more) or --all';
  const bad = a.cases.filter((c) => !/^cs_[0-9a-f]{32}$/.test(c));
  if (bad.length) return `not a case id: ${bad.join(', ')}`;
  return a;
}

/** Verifies the trails; resolves the exit code. */
export async function verifyTrails(
  args: VerifyArgs,
  deps: { store: DocumentStore; warehouse: Warehouse },
  io: VerifyIo,
): Promise<number> {
  const ids = args.all
    ? (await deps.store.query<CaseDoc>(CASE_COLLECTIONS.cases, [])).map((d) => d.id).sort()
    : args.cases;
  let failed = 0;
  for (const caseId of ids) {
    const o = await verifyCase({ ...deps, clock: systemClock }, caseId);
    if (o.kind === 'error') {
      failed++;
      io.out(`${caseId}  ${o.body.code}: ${o.body.error}`);
      continue;
    }
    const v = o.body;
    if (v.ok) io.out(`${caseId}  verified (${v.events} events, ${v.mirrored} mirrored)`);
    else {
      failed++;
      io.out(`${caseId}  NOT VERIFIED (${v.events} events, ${v.mirrored} mirrored)`);
      for (const p of v.problems) io.out(`    event ${p.seq ?? '-'}: ${p.problem} — ${p.detail}`);
    }
  }
  io.out(`${ids.length - failed} of ${ids.length} trail(s) verified`);
  return failed ? 1 : 0;
}

const main = () => withArgs(parseVerifyArgs, USAGE, run);

async function run(args: VerifyArgs, io: VerifyIo): Promise<number> {
  const projectId = process.env.GOOGLE_CLOUD_PROJECT;
  if (!projectId) {
    io.err(`GOOGLE_CLOUD_PROJECT is not set\n${USAGE}`);
    return 2;
  }
  if (args.duckdb && !process.env.FIRESTORE_EMULATOR_HOST) {
    io.err('--duckdb reads the local stack: set FIRESTORE_EMULATOR_HOST to its Firestore emulator');
    return 2;
  }
  const store = new FirestoreDocumentStore({ projectId, emulatorHost: process.env.FIRESTORE_EMULATOR_HOST });
  const warehouse: Warehouse = args.duckdb
    ? await DuckDbWarehouse.open(args.duckdb)
    : new BigQueryWarehouse({ projectId, location: process.env.BIGQUERY_LOCATION });
  try {
    return await verifyTrails(args, { store, warehouse }, io);
  } finally {
    await store.close();
    await warehouse.close();
  }
}

if (require.main === module) runAsProcess(main);
