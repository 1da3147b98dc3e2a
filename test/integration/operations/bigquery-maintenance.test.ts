/**
 * BigQueryMaintenance with the real clients against a local server speaking the BigQuery jobs API and the Cloud
 * Storage JSON API. What matters in production: views are refreshed with CALL BQ.REFRESH_MATERIALIZED_VIEW; a day
 * is exported as Parquet with EXPORT DATA into the un-locked staging bucket, copied into the archive without ever
 * overwriting an archived object, counted by re-reading the archived files (external table), and only then
 * deleted with DML on that day's range; staging is cleaned up.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArchiveColdDataOutcome } from '../../../shared/use-cases/archive-cold-data';
import type { RefreshMaterializedViewsOutcome } from '../../../shared/use-cases/refresh-materialized-views';
import { isolatedProjectId } from '../../support/env';
import { ARCHIVE_BUCKET, STAGING_BUCKET } from './support/buckets';

interface StoredObject {
  rows: number;
  crc32c: string;
  body?: string;
}

interface QueryParam {
  name: string;
  parameterValue: { value: string };
}

interface JobRequest {
  jobReference?: { jobId?: string; projectId?: string; location?: string };
  configuration: {
    query: {
      query: string;
      queryParameters?: QueryParam[];
      tableDefinitions?: Record<string, { sourceFormat: string; sourceUris: string[] }>;
    };
  };
}

interface Result {
  fields: { name: string; type: string }[];
  rows: unknown[][];
  affected?: number;
}

const dayOf = (iso: string) => iso.slice(0, 10);

/** BigQuery (jobs.insert, jobs.getQueryResults) and Cloud Storage (list, get, rewrite, delete) in one server. */
class FakeGoogle {
  /** market.prices rows per UTC day. */
  readonly source = new Map<string, number>();
  readonly buckets = new Map<string, Map<string, StoredObject>>([
    [ARCHIVE_BUCKET, new Map()],
    [STAGING_BUCKET, new Map()],
  ]);
  readonly queries: { sql: string; params: Record<string, string>; tableDefinitions?: unknown }[] = [];
  readonly storage: string[] = [];
  private readonly results = new Map<string, Result>();
  private server?: Server;

  private run(job: JobRequest): Result {
    const q = job.configuration.query;
    const sql = q.query.replace(/\s+/g, ' ').trim();
    const params = Object.fromEntries((q.queryParameters ?? []).map((p) => [p.name, p.parameterValue.value]));
    this.queries.push({
      sql,
      params,
      ...(q.tableDefinitions ? { tableDefinitions: q.tableDefinitions } : {}),
    });
    const count = (n: number): Result => ({ fields: [{ name: 'n', type: 'INTEGER' }], rows: [[String(n)]] });
    if (sql.startsWith('CALL BQ.REFRESH_MATERIALIZED_VIEW(')) return { fields: [], rows: [] };
    if (sql.includes('INFORMATION_SCHEMA.PARTITIONS')) {
      const ids = [...this.source]
        .filter(([day, rows]) => rows > 0 && day.replace(/-/g, '') < params.before)
        .map(([day]) => [day.replace(/-/g, '')]);
      return { fields: [{ name: 'partition_id', type: 'STRING' }], rows: ids };
    }
    if (sql.startsWith('SELECT COUNT(*) AS n FROM archived')) {
      const uri = q.tableDefinitions?.archived.sourceUris[0] ?? '';
      const m = /^gs:\/\/([^/]+)\/(.*)\*\.parquet$/.exec(uri);
      const objects = [...(this.buckets.get(m?.[1] ?? '') ?? new Map<string, StoredObject>())];
      const files = objects.filter(([n]) => n.startsWith(m?.[2] ?? '') && n.endsWith('.parquet'));
      return count(files.reduce((s, [, o]) => s + o.rows, 0));
    }
    if (sql.startsWith('EXPORT DATA')) {
      const uri = /uri = 'gs:\/\/([^/]+)\/(.*)\/part-\*\.parquet'/.exec(sql);
      const day = dayOf(/TIMESTAMP\('([^']+)'\)/.exec(sql)?.[1] ?? '');
      const rows = this.source.get(day) ?? 0;
      this.buckets
        .get(uri?.[1] ?? '')
        ?.set(`${uri?.[2]}/part-000000000000.parquet`, { rows, crc32c: `crc-${day}-${rows}` });
      return { fields: [], rows: [] };
    }
    if (sql.startsWith('SELECT COUNT(*) AS n FROM')) return count(this.source.get(dayOf(params.from)) ?? 0);
    if (sql.startsWith('DELETE FROM')) {
      const day = dayOf(params.from);
      const affected = this.source.get(day) ?? 0;
      this.source.set(day, 0);
      return { fields: [], rows: [], affected };
    }
    throw new Error(`unexpected query: ${sql}`);
  }

  private storageRoute(method: string, url: URL, body: string): { status: number; body?: unknown } {
    const path = url.pathname.replace(/^\/(upload\/)?storage\/v1/, '');
    const rewrite = /^\/b\/([^/]+)\/o\/([^/]+)\/rewriteTo\/b\/([^/]+)\/o\/([^/]+)$/.exec(path);
    const object = /^\/b\/([^/]+)\/o\/([^/]+)$/.exec(path);
    const list = /^\/b\/([^/]+)\/o$/.exec(path);
    this.storage.push(
      `${method} ${decodeURIComponent(path)}${url.search ? ` ${decodeURIComponent(url.search)}` : ''}`,
    );
    if (method === 'GET' && list) {
      const prefix = url.searchParams.get('prefix') ?? '';
      const items = [...(this.buckets.get(list[1]) ?? [])]
        .filter(([n]) => n.startsWith(prefix))
        .map(([name, o]) => ({ name, crc32c: o.crc32c }));
      return { status: 200, body: { kind: 'storage#objects', items } };
    }
    if (method === 'POST' && url.pathname.startsWith('/upload/') && /^\/b\/[^/]+\/o$/.test(path)) {
      const bucket = this.buckets.get(path.split('/')[2]);
      const name = url.searchParams.get('name') ?? '';
      if (url.searchParams.get('ifGenerationMatch') === '0' && bucket?.has(name))
        return {
          status: 412,
          body: {
            error: { code: 412, message: 'At least one of the pre-conditions you specified did not hold.' },
          },
        };
      bucket?.set(name, { rows: 0, crc32c: 'marker', body });
      return { status: 200, body: { kind: 'storage#object', name } };
    }
    if (method === 'POST' && rewrite) {
      const [, from, name, to] = rewrite;
      const src = this.buckets.get(from)?.get(decodeURIComponent(name));
      if (!src) return { status: 404, body: { error: { code: 404, message: 'No such object' } } };
      const dst = this.buckets.get(to);
      if (url.searchParams.get('ifGenerationMatch') === '0' && dst?.has(decodeURIComponent(name)))
        return {
          status: 412,
          body: {
            error: { code: 412, message: 'At least one of the pre-conditions you specified did not hold.' },
          },
        };
      dst?.set(decodeURIComponent(name), { ...src });
      return { status: 200, body: { kind: 'storage#rewriteResponse', done: true } };
    }
    if (object) {
      const bucket = this.buckets.get(object[1]);
      const name = decodeURIComponent(object[2]);
      const o = bucket?.get(name);
      if (!o) return { status: 404, body: { error: { code: 404, message: 'No such object' } } };
      if (method === 'DELETE') {
        bucket?.delete(name);
        return { status: 204 };
      }
      return { status: 200, body: { name, crc32c: o.crc32c } };
    }
    return { status: 404, body: { error: { code: 404, message: `no route ${method} ${path}` } } };
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const reply = (status: number, body?: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
          res.end(body === undefined ? '' : JSON.stringify(body));
        };
        try {
          if (/^\/(upload\/)?storage\/v1\//.test(url.pathname)) {
            const r = this.storageRoute(req.method ?? 'GET', url, Buffer.concat(chunks).toString('utf8'));
            return reply(r.status, r.body);
          }
          const insert = /^\/bigquery\/v2\/projects\/([^/]+)\/jobs$/.exec(url.pathname);
          if (req.method === 'POST' && insert) {
            const job = JSON.parse(Buffer.concat(chunks).toString('utf8')) as JobRequest;
            const jobId = job.jobReference?.jobId ?? `job-${this.results.size + 1}`;
            this.results.set(jobId, this.run(job));
            const jobReference = { projectId: insert[1], jobId, location: 'EU' };
            return reply(200, {
              kind: 'bigquery#job',
              id: `${insert[1]}:EU.${jobId}`,
              jobReference,
              configuration: job.configuration,
              status: { state: 'DONE' },
            });
          }
          const results = /^\/bigquery\/v2\/projects\/([^/]+)\/queries\/([^/]+)$/.exec(url.pathname);
          if (req.method === 'GET' && results) {
            const r = this.results.get(results[2]);
            if (!r) return reply(404, { error: { code: 404, message: 'Not found: Job' } });
            return reply(200, {
              kind: 'bigquery#getQueryResultsResponse',
              jobReference: { projectId: results[1], jobId: results[2], location: 'EU' },
              jobComplete: true,
              schema: { fields: r.fields },
              totalRows: String(r.rows.length),
              rows: r.rows.map((row) => ({ f: row.map((v) => ({ v })) })),
              ...(r.affected !== undefined ? { numDmlAffectedRows: String(r.affected) } : {}),
            });
          }
          return reply(404, { error: { code: 404, message: `no route ${req.method} ${url.pathname}` } });
        } catch (err) {
          return reply(400, { error: { code: 400, message: (err as Error).message } });
        }
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server?.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const NOW = '2020-03-20T23:59:00Z';

describe('BigQueryMaintenance against the BigQuery jobs and Cloud Storage JSON wire formats', () => {
  const fake = new FakeGoogle();
  const projectId = isolatedProjectId('ops');
  let endpoint: string;
  let noCredentials: string;

  beforeAll(async () => {
    endpoint = await fake.start();
    noCredentials = mkdtempSync(join(tmpdir(), 'no-gcloud-'));
  });
  afterAll(async () => {
    await fake.stop();
    rmSync(noCredentials, { recursive: true, force: true });
  });
  beforeEach(() => {
    fake.source.clear();
    fake.queries.length = 0;
    fake.storage.length = 0;
    for (const b of fake.buckets.values()) b.clear();
  });

  function run(
    runs: number,
  ): Promise<{ refresh: RefreshMaterializedViewsOutcome; archives: ArchiveColdDataOutcome[] }> {
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [
          '-r',
          'tsx/cjs',
          join(__dirname, 'support', 'run-maintenance.ts'),
          JSON.stringify({ projectId, storageEndpoint: `${endpoint}/storage/v1`, now: NOW, runs }),
        ],
        {
          env: {
            PATH: process.env.PATH,
            HOME: noCredentials,
            BIGQUERY_EMULATOR_HOST: `${endpoint}/bigquery/v2`,
            CLOUDSDK_CONFIG: noCredentials,
            METADATA_SERVER_DETECTION: 'none',
          },
          timeout: 60_000,
        },
        (err, stdout, stderr) => {
          if (err) reject(new Error(`maintenance process failed: ${err.message}\n${stderr}`));
          else
            resolve(
              JSON.parse(stdout) as {
                refresh: RefreshMaterializedViewsOutcome;
                archives: ArchiveColdDataOutcome[];
              },
            );
        },
      );
    });
  }

  it('refreshes each view, exports an old day to staging, copies it to the archive, verifies and then deletes it', async () => {
    fake.source.set('2020-01-05', 96);
    fake.source.set('2020-03-19', 1440); // inside the 60-day window: untouched
    const { refresh, archives } = await run(2);

    expect(refresh).toMatchObject({
      failed: 0,
      views: [{ view: 'risk.recent_portfolio_exposures_mv', ok: true }],
    });
    expect(fake.queries[0].sql).toBe(
      `CALL BQ.REFRESH_MATERIALIZED_VIEW('${projectId}.risk.recent_portfolio_exposures_mv')`,
    );
    const location = 'market/prices/dt=2020-01-05/attempt-1';
    expect(archives[0].partitions).toEqual([
      expect.objectContaining({
        table: 'market.prices',
        day: '2020-01-05',
        result: 'archived',
        rows: 96,
        location,
        objects: [`${location}/part-000000000000.parquet`],
        steps: ['export', 'verify', 'delete'],
      }),
    ]);
    expect(archives[1].partitions).toEqual([]);

    const kinds = fake.queries.map((q) => q.sql.split(/[ (]/).slice(0, 2).join(' '));
    expect(kinds).toEqual([
      'CALL BQ.REFRESH_MATERIALIZED_VIEW',
      'SELECT partition_id', // run 1: which days are past the window
      'SELECT COUNT', // rows to export
      'EXPORT DATA',
      'SELECT COUNT', // re-read the archived files
      'SELECT COUNT', // source still the same
      'SELECT COUNT', // before deleting
      'DELETE FROM',
      'SELECT partition_id', // run 2: nothing left
    ]);
    const exportSql = fake.queries[3].sql;
    expect(exportSql).toContain(`uri = 'gs://${STAGING_BUCKET}/${location}/part-*.parquet'`);
    expect(exportSql).toContain(`format = 'PARQUET'`);
    expect(exportSql).toContain(
      `FROM \`${projectId}.market.prices\` WHERE as_of >= TIMESTAMP('2020-01-05T00:00:00.000Z') AND as_of < TIMESTAMP('2020-01-06T00:00:00.000Z')`,
    );
    expect(fake.queries[4].tableDefinitions).toEqual({
      archived: { sourceFormat: 'PARQUET', sourceUris: [`gs://${ARCHIVE_BUCKET}/${location}/*.parquet`] },
    });
    expect(fake.queries[7]).toEqual({
      sql: `DELETE FROM \`${projectId}.market.prices\` WHERE as_of >= TIMESTAMP(@from) AND as_of < TIMESTAMP(@to)`,
      params: { from: '2020-01-05T00:00:00.000Z', to: '2020-01-06T00:00:00.000Z' },
    });
    expect(fake.queries[1].params).toEqual({ table: 'prices', before: '20200120' });

    // Copied without overwrite, staging emptied, the archive holds the day.
    expect(fake.storage).toEqual([
      `GET /b/${STAGING_BUCKET}/o ?prefix=${location}/&fields=items(name,crc32c),nextPageToken`,
      `POST /b/${STAGING_BUCKET}/o/${location}/part-000000000000.parquet/rewriteTo/b/${ARCHIVE_BUCKET}/o/${location}/part-000000000000.parquet ?ifGenerationMatch=0`,
      `DELETE /b/${STAGING_BUCKET}/o/${location}/part-000000000000.parquet`,
      `POST /b/${ARCHIVE_BUCKET}/o ?uploadType=media&name=${location}/_VERIFIED.json&ifGenerationMatch=0`,
    ]);
    expect(
      JSON.parse(fake.buckets.get(ARCHIVE_BUCKET)?.get(`${location}/_VERIFIED.json`)?.body ?? '{}'),
    ).toEqual({
      table: 'market.prices',
      day: '2020-01-05',
      rows: 96,
      objects: [`${location}/part-000000000000.parquet`],
      format: 'parquet',
      verifiedAt: new Date(NOW).toISOString(),
    });
    expect([...(fake.buckets.get(STAGING_BUCKET)?.keys() ?? [])]).toEqual([]);
    expect(fake.buckets.get(ARCHIVE_BUCKET)?.get(`${location}/part-000000000000.parquet`)?.rows).toBe(96);
    expect(fake.source.get('2020-01-05')).toBe(0);
    expect(fake.source.get('2020-03-19')).toBe(1440);
  });

  it('accepts an identical file already in the archive (a rerun) but never replaces a different one', async () => {
    const location = 'market/prices/dt=2020-01-05/attempt-1';
    fake.source.set('2020-01-05', 96);
    fake.source.set('2020-01-06', 48);
    fake.buckets
      .get(ARCHIVE_BUCKET)
      ?.set(`${location}/part-000000000000.parquet`, { rows: 96, crc32c: 'crc-2020-01-05-96' });
    fake.buckets
      .get(ARCHIVE_BUCKET)
      ?.set('market/prices/dt=2020-01-06/attempt-1/part-000000000000.parquet', { rows: 3, crc32c: 'other' });
    const { archives } = await run(2);
    expect(archives[0].partitions.map((p) => [p.day, p.result, p.reason])).toEqual([
      ['2020-01-05', 'archived', undefined],
      [
        '2020-01-06',
        'failed',
        `gs://${ARCHIVE_BUCKET}/market/prices/dt=2020-01-06/attempt-1/part-000000000000.parquet exists with different content`,
      ],
    ]);
    // The rerun does not retry the conflicting name: it archives the day as the next attempt.
    expect(archives[1].partitions).toEqual([
      expect.objectContaining({
        day: '2020-01-06',
        result: 'archived',
        rows: 48,
        location: 'market/prices/dt=2020-01-06/attempt-2',
      }),
    ]);
    expect(fake.source.get('2020-01-06')).toBe(0);
    expect(
      fake.buckets.get(ARCHIVE_BUCKET)?.get('market/prices/dt=2020-01-06/attempt-1/part-000000000000.parquet')
        ?.crc32c,
    ).toBe('other');
  });
});
