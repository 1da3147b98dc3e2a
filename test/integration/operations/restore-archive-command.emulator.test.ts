/**
 * The operators' command `npm run restore-archive` against the local stack's stores: days archived (and deleted
 * from the warehouse) by the real archiveColdData job into a local archive folder, with its records in the
 * Firestore emulator, are loaded into a restore table of their own; a second run adds nothing; a manifest that
 * disagrees with the archived files is refused with exit 1; bad command lines exit 2.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FirestoreDocumentStore } from '../../../shared/adapters/gcp/firestore-document-store';
import { DuckDbMaintenance } from '../../../shared/adapters/local/duckdb-maintenance';
import { DuckDbWarehouse } from '../../../shared/adapters/local/duckdb-warehouse';
import { ManualClock } from '../../../shared/platform/clocks';
import { StructuredLogger } from '../../../shared/platform/logger';
import { archiveColdData } from '../../../shared/use-cases/archive-cold-data';
import { emulatorHosts, isolatedProjectId } from '../../support/env';
import { priceRows } from '../../unit/operations/fixtures';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..', '..');

async function command(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'ops/restore-archive.ts', ...args], {
      cwd: ROOT,
      env,
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

async function count(file: string, sql: string): Promise<number> {
  const w = await DuckDbWarehouse.open(file);
  try {
    return Number((await w.query<{ n: number }>(sql))[0].n);
  } finally {
    await w.close();
  }
}

describe('npm run restore-archive', () => {
  const dir = mkdtempSync(join(tmpdir(), 'restore-archive-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('restores archived days into a table of its own, idempotently, and refuses a count mismatch', async () => {
    const projectId = isolatedProjectId('restore-archive');
    const host = emulatorHosts().firestoreHost;
    const file = join(dir, 'warehouse.duckdb');
    const archiveDir = join(dir, 'archive', projectId);

    // Three days of 2024 prices, archived and deleted by the real job (records in the Firestore emulator).
    const warehouse = await DuckDbWarehouse.open(file);
    const store = new FirestoreDocumentStore({ projectId, emulatorHost: host });
    try {
      for (const day of ['2024-01-01', '2024-01-02', '2024-01-03'])
        await warehouse.insert('market.prices', [
          ...priceRows(`${day}T10:00:00.000Z`),
          ...priceRows(`${day}T11:00:00.000Z`, ['SOL']),
        ]);
      const outcome = await archiveColdData({
        store,
        maintenance: new DuckDbMaintenance(warehouse, { archiveDir }),
        clock: new ManualClock('2024-06-01T00:00:00.000Z'),
        logger: new StructuredLogger({ sink: () => undefined }),
        config: { archiveAfterDays: 60, tables: ['market.prices'], maxAttempts: 3 },
      });
      expect(outcome.partitions.map((p) => [p.day, p.result, p.rows])).toEqual([
        ['2024-01-01', 'archived', 3],
        ['2024-01-02', 'archived', 3],
        ['2024-01-03', 'archived', 3],
      ]);
    } finally {
      await store.close();
      await warehouse.close();
    }
    expect(await count(file, 'SELECT COUNT(*) AS n FROM market.prices')).toBe(0);

    const env = { ...process.env, GOOGLE_CLOUD_PROJECT: projectId, FIRESTORE_EMULATOR_HOST: host };
    const args = ['--table', 'market.prices', '--from', '2023-12-31', '--to', '2024-01-03'];
    const local = ['--into', 'restore.market_prices', '--local-archive', archiveDir, '--duckdb', file];

    const first = await command([...args, ...local], env);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain('market.prices 2023-12-31  no verified archive');
    expect(first.out).toContain(
      'market.prices 2024-01-02  restored 3 row(s) from market/prices/dt=2024-01-02/attempt-1 (manifest 3, archive 3, in table 3)',
    );
    expect(first.out).toContain(
      '3 day(s) restored, 0 already restored, 1 without archive, 0 failed; 9 row(s) added to restore.market_prices',
    );

    const second = await command([...args, ...local], env);
    expect(second.code).toBe(0);
    expect(second.out).toContain(
      'market.prices 2024-01-03  already restored (3 row(s) in restore.market_prices',
    );
    expect(second.out).toContain(
      '0 day(s) restored, 3 already restored, 1 without archive, 0 failed; 0 row(s) added',
    );

    expect(
      await count(file, 'SELECT COUNT(*) AS n FROM (SELECT DISTINCT row_id FROM restore.market_prices)'),
    ).toBe(9);
    expect(await count(file, 'SELECT COUNT(*) AS n FROM restore.market_prices')).toBe(9);
    expect(
      await count(
        file,
        "SELECT COUNT(*) AS n FROM restore.market_prices WHERE as_of < '2024-01-02'::TIMESTAMPTZ",
      ),
    ).toBe(3);
    // The hot table is untouched.
    expect(await count(file, 'SELECT COUNT(*) AS n FROM market.prices')).toBe(0);

    // A manifest that no longer agrees with the files (or with the archive record) is refused: nothing loaded, exit 1.
    const marker = join(archiveDir, 'market/prices/dt=2024-01-02/attempt-1/_VERIFIED.json');
    writeFileSync(marker, JSON.stringify({ ...JSON.parse(readFileSync(marker, 'utf8')), rows: 4 }));
    const tampered = await command(
      [
        '--table',
        'market.prices',
        '--from',
        '2024-01-02',
        '--to',
        '2024-01-02',
        '--into',
        'restore.other',
        '--local-archive',
        archiveDir,
        '--duckdb',
        file,
      ],
      env,
    );
    expect(tampered.code).toBe(1);
    expect(tampered.out).toContain(
      'FAILED at market/prices/dt=2024-01-02/attempt-1: archive holds 3 row(s), manifest says 4',
    );
    expect(tampered.out).toContain('archive record says 3 row(s), manifest 4');
    expect(await count(file, 'SELECT COUNT(*) AS n FROM restore.other')).toBe(0);

    expect(
      await command(
        [...args, '--into', 'market.prices', '--local-archive', archiveDir, '--duckdb', file],
        env,
      ),
    ).toMatchObject({ code: 2 });
    expect(await command([...args, '--into', 'restore.x', '--local-archive', archiveDir], env)).toMatchObject(
      { code: 2 },
    );
    expect(
      await command(
        ['--table', 'market.prices', '--from', '2024-02-30', '--to', '2024-03-01', ...local],
        env,
      ),
    ).toMatchObject({ code: 2 });
  });
});
