/**
 * BigQueryWarehouse with the real @google-cloud/bigquery client, pointed at a local server that speaks the
 * BigQuery REST wire format for tabledata.insertAll. What matters in production: every row is streamed with
 * insertId = its own row id (so a retried invocation is de-duplicated by BigQuery), and per-row insertErrors
 * surface as one WarehouseInsertError naming each row and why.
 *
 * The adapter takes no client options, so the client is pointed here through its own emulator hook
 * (BIGQUERY_EMULATOR_HOST), with no Google credentials anywhere in reach. The adapter runs in a child
 * process (support/bigquery-insert.ts): the client's HTTP layer uses a dynamic import() Jest cannot run.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  MarginEventRow as MarginEventSchema,
  MarketPriceRow as MarketPriceSchema,
} from '../../../shared/contracts/schema-types';
import type { WarehouseRow } from '../../../shared/ports/warehouse';

/** Row types from the schemas, usable where the Warehouse port takes generic rows. */
type MarginEventRow = MarginEventSchema & WarehouseRow;
type MarketPriceRow = MarketPriceSchema & WarehouseRow;
import { isolatedProjectId } from '../../support/env';
import type { InsertCall, InsertOutcome } from './support/bigquery-insert';
import { requestChunks } from '../../../shared/adapters/gcp/bigquery-warehouse';

interface InsertAllRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: { rows: { insertId: string; json: Record<string, unknown> }[] } & Record<string, unknown>;
}

interface Reply {
  status: number;
  body: unknown;
}

/** A BigQuery REST endpoint for insertAll: records each request and answers with what the test scripts. */
class FakeBigQuery {
  readonly requests: InsertAllRequest[] = [];
  script: (req: InsertAllRequest, n: number) => Reply = () => ({
    status: 200,
    body: { kind: 'bigquery#tableDataInsertAllResponse' },
  });
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = (req.url ?? '').split('?')[0];
        const text = Buffer.concat(chunks).toString('utf8');
        if (
          req.method !== 'POST' ||
          !/^\/bigquery\/v2\/projects\/[^/]+\/datasets\/[^/]+\/tables\/[^/]+\/insertAll$/.test(path)
        ) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 404, message: `no route ${req.method} ${path}` } }));
          return;
        }
        const request: InsertAllRequest = {
          method: req.method,
          path,
          headers: req.headers,
          body: JSON.parse(text) as InsertAllRequest['body'],
        };
        this.requests.push(request);
        const reply = this.script(request, this.requests.length);
        res.writeHead(reply.status, { 'content-type': 'application/json; charset=UTF-8' });
        res.end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function event(id: string, portfolioId = 'desk-001'): MarginEventRow {
  return {
    event_id: id,
    portfolio_id: portfolioId,
    from_state: 'WARNING',
    to_state: 'MARGIN_CALL',
    health_score: 22.4,
    tick_id: 'tick-20221109T1500Z',
    as_of: '2022-11-09T15:00:00.000Z',
    collateral_usd: 15912.3,
    borrow_usd: 13000,
    detected_at: '2022-11-09T15:00:02.417Z',
  };
}

const PRICE: MarketPriceRow = {
  row_id: 'tick-20240805T1200Z:BTC',
  tick_id: 'tick-20240805T1200Z',
  as_of: '2024-08-05T12:00:00.000Z',
  asset: 'BTC',
  price_usd: 54321.5,
  source: 'median',
  quality: 'CROSS_CHECKED',
  published_at: '2024-08-05T11:59:58.000Z',
  confidence_usd: 27.16,
};

describe('BigQueryWarehouse against the BigQuery REST wire format', () => {
  const fake = new FakeBigQuery();
  const projectId = isolatedProjectId('bq');
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
    fake.requests.length = 0;
    fake.script = () => ({ status: 200, body: { kind: 'bigquery#tableDataInsertAllResponse' } });
  });

  /** The calls as the child's argument; a large one through a file (argv has a size limit). */
  function argumentOf(input: { projectId: string; calls: InsertCall[] }): string {
    const text = JSON.stringify(input);
    if (text.length < 100_000) return text;
    const file = join(noCredentials, `calls-${fake.requests.length}-${text.length}.json`);
    writeFileSync(file, text);
    return `@${file}`;
  }

  /** The real adapter and client in a child process, aimed at the fake; resolves with each call's outcome. */
  function insert(calls: InsertCall[]): Promise<InsertOutcome[]> {
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        ['-r', 'tsx/cjs', join(__dirname, 'support', 'bigquery-insert.ts'), argumentOf({ projectId, calls })],
        {
          env: {
            PATH: process.env.PATH,
            HOME: noCredentials,
            BIGQUERY_EMULATOR_HOST: `${endpoint}/bigquery/v2`,
            CLOUDSDK_CONFIG: noCredentials, // no application-default credentials file
            METADATA_SERVER_DETECTION: 'none', // not on Google Cloud: never probe the metadata server
          },
          timeout: 60_000,
        },
        (err, stdout, stderr) => {
          if (err) reject(new Error(`insert process failed: ${err.message}\n${stderr}`));
          else resolve(JSON.parse(stdout) as InsertOutcome[]);
        },
      );
    });
  }

  it('streams rows to tabledata.insertAll of the derived table with insertId = the row id, rows sent raw', async () => {
    const rows = [event('me_aaaaaaaa'), event('me_bbbbbbbb', 'desk-002')];
    expect(
      await insert([
        { table: 'risk.margin_events', rows },
        { table: 'market.prices', rows: [PRICE] },
      ]),
    ).toEqual([{ ok: true }, { ok: true }]);
    expect(fake.requests.map((r) => r.path)).toEqual([
      `/bigquery/v2/projects/${projectId}/datasets/risk/tables/margin_events/insertAll`,
      `/bigquery/v2/projects/${projectId}/datasets/market/tables/prices/insertAll`,
    ]);
    expect(fake.requests[0].body).toEqual({
      rows: rows.map((json) => ({ insertId: json.event_id, json })),
    });
    expect(fake.requests[1].body).toEqual({ rows: [{ insertId: PRICE.row_id, json: PRICE }] });
    expect(fake.requests[0].headers['content-type']).toMatch(/application\/json/);
  });

  it('sends the same insertIds when a function invocation is retried, so BigQuery drops the duplicates', async () => {
    const rows = [event('me_cccccccc'), event('me_dddddddd')];
    // The second call is a fresh instance (as after a cold start) re-sending the same rows.
    expect(
      await insert([
        { table: 'risk.margin_events', rows },
        { table: 'risk.margin_events', rows, freshInstance: true },
      ]),
    ).toEqual([{ ok: true }, { ok: true }]);
    expect(fake.requests.map((r) => r.body.rows.map((x) => x.insertId))).toEqual([
      ['me_cccccccc', 'me_dddddddd'],
      ['me_cccccccc', 'me_dddddddd'],
    ]);
  });

  it('re-sends the same insertIds when BigQuery answers 503 and the client retries', async () => {
    fake.script = (_req, n) =>
      n === 1
        ? {
            status: 503,
            body: {
              error: {
                code: 503,
                message: 'Backend error',
                errors: [{ reason: 'backendError', message: 'x' }],
              },
            },
          }
        : { status: 200, body: { kind: 'bigquery#tableDataInsertAllResponse' } };
    expect(
      await insert([{ table: 'risk.margin_events', rows: [event('me_eeeeeeee'), event('me_ffffffff')] }]),
    ).toEqual([{ ok: true }]);
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1].body).toEqual(fake.requests[0].body);
    expect(fake.requests[1].body.rows.map((r) => r.insertId)).toEqual(['me_eeeeeeee', 'me_ffffffff']);
  });

  it('retries only the rows BigQuery failed transiently, under their own insertIds', async () => {
    fake.script = (_req, n) =>
      n === 1
        ? {
            status: 200,
            body: {
              kind: 'bigquery#tableDataInsertAllResponse',
              insertErrors: [{ index: 1, errors: [{ reason: 'backendError', message: 'try again' }] }],
            },
          }
        : { status: 200, body: { kind: 'bigquery#tableDataInsertAllResponse' } };
    const rows = [event('me_11111111'), event('me_22222222'), event('me_33333333')];
    expect(await insert([{ table: 'risk.margin_events', rows }])).toEqual([{ ok: true }]);
    expect(fake.requests.map((r) => r.body.rows.map((x) => x.insertId))).toEqual([
      ['me_11111111', 'me_22222222', 'me_33333333'],
      ['me_22222222'],
    ]);
  });

  it('turns insertErrors into a WarehouseInsertError naming each failed row id and its reason', async () => {
    // BigQuery's semantics: one invalid row fails the request; the others are reported as "stopped".
    fake.script = (req) => ({
      status: 200,
      body: {
        kind: 'bigquery#tableDataInsertAllResponse',
        insertErrors: req.body.rows.map((r, index) => ({
          index,
          errors:
            r.json.portfolio_id === 'desk-poison'
              ? [{ reason: 'invalid', location: 'to_state', message: 'Cannot convert value to STRING.' }]
              : [{ reason: 'stopped', location: '', message: '' }],
        })),
      },
    });
    const [outcome] = await insert([
      { table: 'risk.margin_events', rows: [event('me_44444444'), event('me_55555555', 'desk-poison')] },
    ]);
    expect(outcome).toEqual({
      ok: false,
      name: 'WarehouseInsertError',
      table: 'risk.margin_events',
      failures: [
        { rowId: 'me_44444444', reason: 'stopped: ' },
        { rowId: 'me_55555555', reason: 'invalid: Cannot convert value to STRING.' },
      ],
      message:
        'warehouse rejected 2 row(s) of risk.margin_events: me_44444444: stopped: ; me_55555555: invalid: Cannot convert value to STRING.',
    });
    expect(fake.requests.length).toBeGreaterThan(0);
    for (const r of fake.requests) {
      expect(r.body.rows.map((x) => x.insertId)).toEqual(['me_44444444', 'me_55555555']);
    }
  });

  it('never sends a batch holding a row that violates its schema, nor an empty one', async () => {
    const bad = { ...event('me_66666666'), health_score: 'high' };
    const [violation, empty] = await insert([
      { table: 'risk.margin_events', rows: [event('me_77777777'), bad] },
      { table: 'risk.margin_events', rows: [] },
    ]);
    expect(violation).toMatchObject({
      ok: false,
      name: 'SchemaViolation',
      problems: ['/health_score must be number,null'],
    });
    expect(empty).toEqual({ ok: true });
    expect(fake.requests).toEqual([]);
  });

  it('splits a shard larger than one request into requests of at most 500 rows, every row once, in order', async () => {
    const rows = Array.from({ length: 1_201 }, (_, i) => event(`me_${String(i).padStart(8, '0')}`));
    expect(await insert([{ table: 'risk.margin_events', rows }])).toEqual([{ ok: true }]);
    expect(fake.requests.map((r) => r.body.rows.length).sort((a, b) => b - a)).toEqual([500, 500, 201]);
    const sent = fake.requests.flatMap((r) => r.body.rows.map((x) => x.insertId)).sort();
    expect(sent).toEqual(rows.map((r) => r.event_id));
    for (const r of fake.requests)
      expect(r.body.rows.map((x) => x.insertId)).toEqual(
        [...r.body.rows.map((x) => x.insertId)].sort(), // each request a consecutive run of the rows
      );
  });

  it('names the failed rows of every request in one WarehouseInsertError, and only those', async () => {
    // The second request holds a poison row: BigQuery fails it and stops the rest of that request only.
    fake.script = (req) =>
      req.body.rows.some((r) => r.json.portfolio_id === 'desk-poison')
        ? {
            status: 200,
            body: {
              kind: 'bigquery#tableDataInsertAllResponse',
              insertErrors: req.body.rows.map((r, index) => ({
                index,
                errors: [
                  r.json.portfolio_id === 'desk-poison'
                    ? { reason: 'invalid', message: 'Cannot convert value to STRING.' }
                    : { reason: 'stopped', message: '' },
                ],
              })),
            },
          }
        : { status: 200, body: { kind: 'bigquery#tableDataInsertAllResponse' } };
    const rows = Array.from({ length: 600 }, (_, i) =>
      event(`me_${String(i).padStart(8, '0')}`, i === 550 ? 'desk-poison' : 'desk-001'),
    );
    const [outcome] = await insert([{ table: 'risk.margin_events', rows }]);
    if (outcome.ok) throw new Error('the poison row was accepted');
    expect(outcome.name).toBe('WarehouseInsertError');
    expect(outcome.failures).toHaveLength(100);
    expect(outcome.failures?.map((f) => f.rowId).sort()).toEqual(rows.slice(500).map((r) => r.event_id));
    expect(outcome.failures?.find((f) => f.rowId === 'me_00000550')?.reason).toBe(
      'invalid: Cannot convert value to STRING.',
    );
  });
});

describe('insertAll request chunks', () => {
  it('cuts at the row bound and at the byte bound, keeping order, a row larger than the bound alone', () => {
    const rows = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, pad: 'x'.repeat(id === 'c' ? 100 : 10) }));
    expect(requestChunks(rows, 2, 10_000).map((c) => c.map((r) => r.id))).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e'],
    ]);
    // {"id":"a","pad":"xxxxxxxxxx"} is 29 bytes: two fit in 60, the 119-byte row goes alone.
    expect(requestChunks(rows, 500, 60).map((c) => c.map((r) => r.id))).toEqual([
      ['a', 'b'],
      ['c'],
      ['d', 'e'],
    ]);
    expect(requestChunks([], 500, 60)).toEqual([]);
  });
});
