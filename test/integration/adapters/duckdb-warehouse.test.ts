/**
 * The local warehouse: embedded DuckDB with the tables derived from schemas/warehouse. Same contract as
 * BigQuery: rows are validated before they are written, and a re-sent row id is ignored.
 */
import { MATERIALIZED_VIEWS, ROLLING_VIEWS, SUMMARY_VIEWS } from '../../../shared/contracts/warehouse-views';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbWarehouse } from '../../../shared/adapters/local/duckdb-warehouse';
import type {
  CaseEventRow,
  MarginEventRow as MarginEventSchema,
  MarketPriceRow as MarketPriceSchema,
} from '../../../shared/contracts/schema-types';
import { DuckDbMaintenance } from '../../../shared/adapters/local/duckdb-maintenance';
import { ManualClock } from '../../../shared/platform/clocks';
import { StructuredLogger } from '../../../shared/platform/logger';
import { archiveColdData } from '../../../shared/use-cases/archive-cold-data';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';
import type { WarehouseRow } from '../../../shared/ports/warehouse';

/** Row types from the schemas, usable where the Warehouse port takes generic rows. */
type MarginEventRow = MarginEventSchema & WarehouseRow;
type MarketPriceRow = MarketPriceSchema & WarehouseRow;
import { SchemaViolation } from '../../../shared/contracts/validation';
import { WAREHOUSE_TABLES } from '../../../shared/contracts/warehouse-tables';

function price(asset: string, minute: number, priceUsd: number): MarketPriceRow {
  const hhmm = `12${String(minute).padStart(2, '0')}`;
  const asOf = `2024-08-05T12:${String(minute).padStart(2, '0')}:00.000Z`;
  return {
    row_id: `tick-20240805T${hhmm}Z:${asset}`,
    tick_id: `tick-20240805T${hhmm}Z`,
    as_of: asOf,
    asset,
    price_usd: priceUsd,
    source: 'median',
    quality: 'CROSS_CHECKED',
    published_at: asOf,
    confidence_usd: null,
  };
}

const EVENT: MarginEventRow = {
  event_id: 'me_0f3a9c2b7d6e4f1a8b9c0d1e2f3a4b5c',
  portfolio_id: 'desk-001',
  from_state: 'WARNING',
  to_state: 'MARGIN_CALL',
  health_score: 22.4,
  tick_id: 'tick-20221109T1500Z',
  as_of: '2022-11-09T15:00:00.000Z',
  collateral_usd: 15912.3,
  borrow_usd: 13000,
  detected_at: '2022-11-09T15:00:02.417Z',
};

describe('DuckDbWarehouse', () => {
  let w: DuckDbWarehouse;

  beforeEach(async () => {
    w = await DuckDbWarehouse.open();
  });
  afterEach(async () => {
    await w.close();
  });

  const count = async (table: string) =>
    (await w.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0].n;

  it('creates every derived table with the schema’s column types, the row id as primary key', async () => {
    const cols = await w.query<{
      table_name: string;
      column_name: string;
      data_type: string;
      is_nullable: string;
    }>(
      `SELECT table_schema || '.' || table_name AS table_name, column_name, data_type, is_nullable
         FROM information_schema.columns WHERE table_schema = @schema AND table_name = @table ORDER BY ordinal_position`,
      { schema: 'risk', table: 'margin_events' },
    );
    expect(cols.map((c) => [c.column_name, c.data_type, c.is_nullable])).toEqual([
      ['event_id', 'VARCHAR', 'NO'],
      ['portfolio_id', 'VARCHAR', 'NO'],
      ['from_state', 'VARCHAR', 'NO'],
      ['to_state', 'VARCHAR', 'NO'],
      ['health_score', 'DOUBLE', 'YES'],
      ['tick_id', 'VARCHAR', 'NO'],
      ['as_of', 'TIMESTAMP WITH TIME ZONE', 'NO'],
      ['collateral_usd', 'DOUBLE', 'NO'],
      ['borrow_usd', 'DOUBLE', 'NO'],
      ['detected_at', 'TIMESTAMP WITH TIME ZONE', 'NO'],
    ]);
    const tables = await w.query<{ t: string }>(
      `SELECT DISTINCT table_schema || '.' || table_name AS t FROM information_schema.tables ORDER BY t`,
    );
    // Every table, and the views' standing objects (each materialized view as a table, each rolling view a view).
    expect(tables.map((r) => r.t)).toEqual(
      [
        ...WAREHOUSE_TABLES.map((t) => t.name),
        ...MATERIALIZED_VIEWS.map((v) => v.name),
        ...ROLLING_VIEWS.map((v) => v.name),
        ...SUMMARY_VIEWS.map((v) => v.name),
      ].sort(),
    );
    const keys = await w.query<{ t: string; cols: string[] }>(
      `SELECT schema_name || '.' || table_name AS t, constraint_column_names AS cols
         FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' ORDER BY t`,
    );
    expect(keys.map((k) => [k.t, [...k.cols]])).toEqual(
      [...WAREHOUSE_TABLES]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((t) => [t.name, [t.rowIdColumn]]),
    );
  });

  it('inserts rows and answers portable SQL with @named parameters, timestamps as ISO strings', async () => {
    await w.insert('market.prices', [
      price('BTC', 0, 54321.5),
      price('ETH', 0, 2493.07),
      price('BTC', 1, 54400),
    ]);
    const rows = await w.query<{ tick_id: string; as_of: string; price_usd: number; confidence_usd: null }>(
      'SELECT tick_id, as_of, price_usd, confidence_usd FROM market.prices WHERE asset = @asset AND price_usd > @min ORDER BY as_of',
      { asset: 'BTC', min: 50000 },
    );
    expect(rows).toEqual([
      {
        tick_id: 'tick-20240805T1200Z',
        as_of: '2024-08-05T12:00:00.000Z',
        price_usd: 54321.5,
        confidence_usd: null,
      },
      {
        tick_id: 'tick-20240805T1201Z',
        as_of: '2024-08-05T12:01:00.000Z',
        price_usd: 54400,
        confidence_usd: null,
      },
    ]);
    const since = await w.query<{ n: number }>(
      'SELECT count(*) AS n FROM market.prices WHERE as_of >= CAST(@since AS TIMESTAMPTZ)',
      { since: '2024-08-05T12:01:00Z' },
    );
    expect(since).toEqual([{ n: 1 }]);
  });

  it('ignores a re-sent row (idempotent on the row id), keeping the first version', async () => {
    await w.insert('risk.margin_events', [EVENT]);
    await w.insert('risk.margin_events', [{ ...EVENT, detected_at: '2022-11-09T15:05:00.000Z' }]);
    // A batch that repeats a row, as a retried publish may.
    await w.insert('risk.margin_events', [EVENT, EVENT]);
    expect(await w.query('SELECT event_id, detected_at FROM risk.margin_events')).toEqual([
      { event_id: EVENT.event_id, detected_at: '2022-11-09T15:00:02.417Z' },
    ]);
  });

  it('moves a batch that mixes a re-sent row with new ones: the new land, the re-sent keeps its first version', async () => {
    await w.insert('risk.margin_events', [EVENT]);
    const next = { ...EVENT, event_id: 'me_1f3a9c2b7d6e4f1a8b9c0d1e2f3a4b5c', portfolio_id: 'desk-002' };
    await w.insert('risk.margin_events', [{ ...EVENT, health_score: 1 }, next]);
    expect(await w.query('SELECT event_id, health_score FROM risk.margin_events ORDER BY event_id')).toEqual([
      { event_id: EVENT.event_id, health_score: 22.4 },
      { event_id: next.event_id, health_score: 22.4 },
    ]);
  });

  it('stores every column type exactly, a timestamp in any form date-time allows to the microsecond', async () => {
    const figure = {
      row_id: 'desk-001:tick-20240805T1200Z:x:0.99:1',
      portfolio_id: 'desk-001',
      desk_id: 'desk-a',
      tick_id: 'tick-20240805T1200Z',
      as_of: '2024-08-05T12:00:00.000Z', // as toISOString writes it
      positions_updated_at: '2024-08-05T13:59:30.123456+02:00', // an offset and microseconds
      confidence: 0.99,
      horizon_days: 10,
      var_usd: 1234.5678,
      es_usd: 2345.25,
      var_share_of_equity: null,
      es_share_of_equity: 0.125,
      lookback_days: 500,
      scenarios: 499,
      history_end: '2024-08-04',
      quantile_method: 'hs-linear',
      horizon_method: 'sqrt-time',
      history_gaps: null,
    };
    const second = { ...figure, row_id: 'second', as_of: '2024-08-05T12:00:00Z', history_end: '2024-02-29' };
    await w.insert('risk.portfolio_risk_figures', [figure, second]);
    const rows = await w.query(
      `SELECT row_id, CAST(epoch_us(as_of) AS VARCHAR) AS as_of_us, CAST(epoch_us(positions_updated_at) AS VARCHAR) AS updated_us,
              CAST(history_end AS VARCHAR) AS history_end, horizon_days, var_usd, var_share_of_equity, es_share_of_equity, scenarios
         FROM risk.portfolio_risk_figures ORDER BY row_id`,
    );
    const us = (iso: string) => String(BigInt(Date.parse(iso)) * 1000n);
    expect(rows).toEqual([
      {
        row_id: figure.row_id,
        as_of_us: us('2024-08-05T12:00:00.000Z'),
        updated_us: `${Date.parse('2024-08-05T11:59:30Z') / 1000}123456`, // 13:59:30.123456 at +02:00
        history_end: '2024-08-04',
        horizon_days: 10,
        var_usd: 1234.5678,
        var_share_of_equity: null,
        es_share_of_equity: 0.125,
        scenarios: 499,
      },
      expect.objectContaining({
        row_id: 'second',
        as_of_us: us('2024-08-05T12:00:00.000Z'),
        history_end: '2024-02-29',
      }),
    ]);
  });

  it('rejects a batch with a row that violates its schema, naming the problem, and writes none of it', async () => {
    const bad = { ...price('ETH', 2, 2500), price_usd: '2500', venue: 'binance' };
    const err = await w
      .insert('market.prices', [price('BTC', 2, 54000), bad as unknown as MarketPriceRow])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaViolation);
    expect((err as SchemaViolation).message).toBe(
      "warehouse/market.prices violated: (root) must NOT have additional properties 'venue'; /price_usd must be number",
    );
    expect(await count('market.prices')).toBe(0);
    // The warehouse is still usable afterwards.
    await w.insert('market.prices', [price('BTC', 2, 54000)]);
    expect(await count('market.prices')).toBe(1);
  });

  it('writes a batch all or nothing when the database itself refuses a row', async () => {
    // A leap second passes JSON Schema's date-time but no TIMESTAMP column can hold it.
    const leap = { ...EVENT, event_id: 'me_leap', as_of: '2016-12-31T23:59:60Z' };
    await expect(w.insert('risk.margin_events', [EVENT, leap])).rejects.toThrow(/23:59:60/);
    expect(await count('risk.margin_events')).toBe(0);
    await w.insert('risk.margin_events', [EVENT]);
    expect(await count('risk.margin_events')).toBe(1);
  });

  it('refuses a value its column cannot hold where the column takes null too, instead of storing null', async () => {
    const opened: CaseEventRow = {
      event_id: 'case_leap:00000001',
      case_id: 'case_leap',
      subject_id: 'desk-client-dmitri',
      seq: 1,
      actor: 'system',
      action: 'opened',
      reason_code: null,
      before_json: '{}',
      after_json: '{}',
      request_id: 'req-case_leap-1',
      at: '2016-12-31T12:00:00.000Z',
      prev_hash: 'h0',
      hash: 'h1',
      case_state: 'open',
      case_outcome: null,
      case_severity: 'HIGH',
      case_due_at: '2016-12-31T23:59:60Z', // nullable, but a leap second is not null
      case_rules: null,
    };
    await expect(w.insert('compliance.case_events', [opened])).rejects.toThrow(/23:59:60/);
    expect(await count('compliance.case_events')).toBe(0);
  });

  it('lands every row of many concurrent inserts', async () => {
    const batches = Array.from({ length: 40 }, (_, b) =>
      Array.from({ length: 10 }, (_, i) => ({
        ...EVENT,
        event_id: `me_${String(b).padStart(16, '0')}${String(i).padStart(16, '0')}`,
        portfolio_id: `desk-${b}`,
      })),
    );
    await Promise.all([
      ...batches.map((rows) => w.insert('risk.margin_events', rows)),
      // Reads interleaved with the writes must not break them.
      ...batches.map(() => w.query('SELECT count(*) AS n FROM risk.margin_events')),
    ]);
    expect(await count('risk.margin_events')).toBe(400);
    expect(await w.query('SELECT count(DISTINCT portfolio_id) AS n FROM risk.margin_events')).toEqual([
      { n: 40 },
    ]);
  });

  it('keeps rows in a database file across close and reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'duck-'));
    try {
      const file = join(dir, 'warehouse.duckdb');
      const first = await DuckDbWarehouse.open(file);
      await first.insert('risk.margin_events', [EVENT]);
      await first.close();
      const second = await DuckDbWarehouse.open(file);
      try {
        // The row again, which this warehouse did not write itself, with a new one: the database's key decides.
        const next = { ...EVENT, event_id: 'me_2f3a9c2b7d6e4f1a8b9c0d1e2f3a4b5c' };
        await second.insert('risk.margin_events', [{ ...EVENT, health_score: 1 }, next]);
        expect(
          await second.query('SELECT event_id, health_score FROM risk.margin_events ORDER BY event_id'),
        ).toEqual([
          { event_id: EVENT.event_id, health_score: 22.4 },
          { event_id: next.event_id, health_score: 22.4 },
        ]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('compliance.case_summary (a summary view over compliance.case_events)', () => {
    /** One trail event; the case as it stands after it rides along (case_*). */
    function event(caseId: string, seq: number, at: string, fields: Partial<CaseEventRow>): CaseEventRow {
      return {
        event_id: `${caseId}:${String(seq).padStart(8, '0')}`,
        case_id: caseId,
        subject_id: 'desk-client-dmitri',
        seq,
        actor: 'system',
        action: 'opened',
        reason_code: null,
        before_json: '{}',
        after_json: '{}',
        request_id: `req-${caseId}-${seq}`,
        at,
        prev_hash: `h${seq - 1}`,
        hash: `h${seq}`,
        case_state: 'open',
        case_outcome: null,
        case_severity: 'HIGH',
        case_due_at: '2025-11-05T09:00:00.000Z',
        case_rules: 'structuring.24h',
        ...fields,
      };
    }

    const A = 'case_a';
    const B = 'case_b';
    const trail: CaseEventRow[] = [
      // Opened by the system, viewed by an officer (not a touch), then worked, decided, reopened.
      event(A, 1, '2025-11-03T09:00:00.000Z', {}),
      event(A, 2, '2025-11-03T09:05:00.000Z', {
        actor: 'system',
        action: 'rule_linked',
        case_rules: 'structuring.24h,velocity.1h',
      }),
      event(A, 3, '2025-11-03T09:30:00.000Z', { actor: 'officer-amara', action: 'personal_data_viewed' }),
      event(A, 4, '2025-11-03T10:00:00.000Z', {
        actor: 'officer-amara',
        action: 'assigned',
        case_state: 'in_review',
        case_rules: 'structuring.24h,velocity.1h',
      }),
      event(A, 5, '2025-11-04T16:00:00.000Z', {
        actor: 'officer-amara',
        action: 'decided',
        case_state: 'closed',
        case_outcome: 'escalated',
        case_severity: 'CRITICAL',
        case_due_at: null,
        case_rules: 'structuring.24h,velocity.1h',
      }),
      // Reopened: the latest event's outcome is NULL while an earlier one's is not.
      event(A, 6, '2025-11-05T08:00:00.000Z', {
        actor: 'officer-lee',
        action: 'reopened',
        reason_code: 'new_evidence',
        case_state: 'in_review',
        case_outcome: null,
        case_severity: 'CRITICAL',
        case_due_at: '2025-11-07T08:00:00.000Z',
        case_rules: null,
      }),
      // Untouched by any officer: only system events and a view of personal data.
      event(B, 1, '2025-11-04T12:00:00.000Z', { subject_id: 'desk-client-amelie', case_severity: 'LOW' }),
      event(B, 2, '2025-11-04T13:00:00.000Z', {
        subject_id: 'desk-client-amelie',
        actor: 'officer-lee',
        action: 'personal_data_viewed',
        case_severity: 'LOW',
      }),
    ];

    it('folds each case trail into one row: opened, first touch, decided, latest state by seq (NULL included)', async () => {
      // Out of order, in two batches: the view orders by seq, not by arrival.
      await w.insert('compliance.case_events', [trail[5], trail[0], trail[7]]);
      await w.insert('compliance.case_events', [trail[3], trail[1], trail[4], trail[2], trail[6]]);
      const rows = await w.query('SELECT * FROM compliance.case_summary ORDER BY case_id');
      expect(rows).toEqual([
        {
          case_id: A,
          subject_id: 'desk-client-dmitri',
          opened_at: '2025-11-03T09:00:00.000Z',
          // Not the system's events, not the personal-data view at 09:30: the assignment at 10:00.
          first_touch_at: '2025-11-03T10:00:00.000Z',
          decided_at: '2025-11-04T16:00:00.000Z',
          last_event_at: '2025-11-05T08:00:00.000Z',
          state: 'in_review',
          // The reopen's NULL, not the earlier 'escalated' (DuckDB's max_by would skip the NULL).
          outcome: null,
          severity: 'CRITICAL',
          due_at: '2025-11-07T08:00:00.000Z',
          rules: null,
          events: 6,
        },
        {
          case_id: B,
          subject_id: 'desk-client-amelie',
          opened_at: '2025-11-04T12:00:00.000Z',
          first_touch_at: null,
          decided_at: null,
          last_event_at: '2025-11-04T13:00:00.000Z',
          state: 'open',
          outcome: null,
          severity: 'LOW',
          due_at: '2025-11-05T09:00:00.000Z',
          rules: 'structuring.24h',
          events: 2,
        },
      ]);
    });

    it('gives the decided outcome while the case stays closed', async () => {
      await w.insert('compliance.case_events', trail.slice(0, 5));
      expect(
        await w.query(
          'SELECT state, outcome, decided_at, rules FROM compliance.case_summary WHERE case_id = @id',
          {
            id: A,
          },
        ),
      ).toEqual([
        {
          state: 'closed',
          outcome: 'escalated',
          decided_at: '2025-11-04T16:00:00.000Z',
          rules: 'structuring.24h,velocity.1h',
        },
      ]);
    });

    it('is never archived away: archiving skips a table whose partitions do not expire', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'duck-archive-'));
      try {
        await w.insert('compliance.case_events', trail);
        await w.insert('risk.margin_events', [EVENT]);
        const outcome = await archiveColdData({
          store: new MemoryDocumentStore(),
          maintenance: new DuckDbMaintenance(w, { archiveDir: dir }),
          clock: new ManualClock('2027-01-01T00:00:00.000Z'),
          logger: new StructuredLogger({ sink: () => undefined }),
          config: {
            archiveAfterDays: 60,
            tables: ['compliance.case_events', 'risk.margin_events'],
            maxAttempts: 3,
          },
        });
        // The hot table's old partition is archived and deleted; the trail stays whole.
        expect(outcome.partitions.map((p) => [p.table, p.result])).toEqual([
          ['risk.margin_events', 'archived'],
        ]);
        expect(await count('risk.margin_events')).toBe(0);
        expect(await count('compliance.case_events')).toBe(trail.length);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
