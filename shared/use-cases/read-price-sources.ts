/**
 * The read step of ingestPrices: every price source behind its circuit breaker, whose state is kept in the store
 * between ticks. A source can neither throw nor hang the tick; every requested asset gets an answer or a failure.
 */
import { FIRESTORE_COLLECTIONS } from '../contracts/firestore';
import type { PriceAlertV1 } from '../contracts/schema-types';
import {
  circuitFromDocument,
  permitCall,
  recordFailure,
  recordSuccess,
  type CircuitEvent,
  type CircuitState,
} from '../domain/prices/circuit-breaker';
import type { PriceFeedConfig } from '../domain/prices/config';
import { tickIdOf, tickMinute } from '../domain/prices/ticks';
import { failAll, sourceFailure, type SourceName, type SourceResult } from '../domain/prices/types';
import type { DocumentStore } from '../ports/document-store';
import type { Logger } from '../ports/logger';
import type { PriceSource } from '../ports/price-source';

/** Circuit-breaker state per source, doc id = source name. Persisted so cold starts do not forget it. */
export const SOURCE_CIRCUIT_COLLECTION = FIRESTORE_COLLECTIONS.prices.circuits;

export /** The tick a moment belongs to: its minute, id and timestamp (a retried tick repeats all three). */
interface Tick {
  now: Date;
  minute: Date;
  tickId: string;
  asOf: string;
}

export function tickAt(now: Date): Tick {
  const minute = tickMinute(now);
  return { now, minute, tickId: tickIdOf(now), asOf: minute.toISOString() };
}

export interface SourceReads {
  results: Map<SourceName, Map<string, SourceResult>>;
  circuits: Partial<Record<SourceName, CircuitState['status']>>;
  skippedSources: SourceName[];
  /** SOURCE_CIRCUIT_OPEN alerts raised by this tick's reads. */
  alerts: PriceAlertV1[];
}

export /** Read: every source behind its circuit breaker, whose state is kept in the store between ticks. */
async function readSources(
  deps: { sources: PriceSource[]; store: DocumentStore },
  config: PriceFeedConfig,
  { now, tickId, asOf }: Tick,
  log: Logger,
): Promise<SourceReads> {
  const alerts: PriceAlertV1[] = [];
  const circuitDocs = await deps.store.getMany(
    SOURCE_CIRCUIT_COLLECTION,
    deps.sources.map((s) => s.name),
  );
  const results = new Map<SourceName, Map<string, SourceResult>>();
  const circuits: SourceReads['circuits'] = {};
  const skippedSources: SourceName[] = [];
  await Promise.all(
    deps.sources.map(async (source) => {
      const wanted = config.assets
        .filter((a) => (source.name === 'chainlink' ? a.chainlink : a.pyth))
        .map((a) => a.asset);
      const before = circuitFromDocument(circuitDocs.get(source.name));
      if (wanted.length === 0) {
        results.set(source.name, new Map());
        circuits[source.name] = before.status;
        return;
      }
      const permit = permitCall(before, now);
      if (!permit.allowed) {
        skippedSources.push(source.name);
        circuits[source.name] = before.status;
        results.set(
          source.name,
          failAll(
            source.name,
            wanted,
            'circuit-open',
            'CIRCUIT_OPEN',
            `circuit open until ${before.retryAt}`,
          ),
        );
        return;
      }
      if (permit.event) logCircuit(log, source.name, permit.event, permit.state);
      const read = await guardedRead(source, wanted, now, config.sourceTimeoutMs);
      results.set(source.name, read);
      const failures = [...read.values()].filter((r) => !r.ok);
      const record =
        failures.length === wanted.length
          ? recordFailure(permit.state, now, config.circuitBreaker, summarise(failures))
          : recordSuccess(permit.state);
      circuits[source.name] = record.state.status;
      if (record.event) logCircuit(log, source.name, record.event, record.state);
      if (record.event === 'OPENED') {
        alerts.push({
          alertId: `${tickId}:${source.name}:SOURCE_CIRCUIT_OPEN`,
          tickId,
          asOf,
          asset: '*',
          kind: 'SOURCE_CIRCUIT_OPEN',
          reasons: [
            `${source.name} failed ${record.state.consecutiveFailures} reads in a row (${record.state.lastFailure}); ` +
              `not called again before ${record.state.retryAt}`,
          ],
        });
      }
      if (JSON.stringify(record.state) !== JSON.stringify(before)) {
        await deps.store.set(SOURCE_CIRCUIT_COLLECTION, source.name, {
          ...record.state,
          source: source.name,
        });
      }
    }),
  );

  return { results, circuits, skippedSources, alerts };
}

/** A source read that can neither throw nor hang the tick; every requested asset gets an entry. */
async function guardedRead(
  source: PriceSource,
  assets: string[],
  now: Date,
  timeoutMs: number,
): Promise<Map<string, SourceResult>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Map<string, SourceResult>>((resolve) => {
    timer = setTimeout(
      () =>
        resolve(
          failAll(source.name, assets, 'unavailable', 'READ_TIMEOUT', `no answer within ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
  });
  let read: Map<string, SourceResult>;
  try {
    read = await Promise.race([source.read(assets, now), timeout]);
  } catch (err) {
    read = failAll(
      source.name,
      assets,
      'unavailable',
      'READ_FAILED',
      `read failed: ${(err as Error)?.name ?? 'error'}`,
    );
  } finally {
    clearTimeout(timer);
  }
  for (const a of assets) {
    if (!read.has(a))
      read.set(a, sourceFailure(source.name, a, 'unavailable', 'NO_ANSWER', `no answer for ${a}`));
  }
  return read;
}

function summarise(failures: SourceResult[]): string {
  const reasons = [...new Set(failures.map((f) => (f.ok ? '' : f.reason)))];
  return reasons.slice(0, 3).join(', ');
}

function logCircuit(log: Logger, source: SourceName, event: CircuitEvent, state: CircuitState): void {
  const fields = {
    source,
    circuit: state.status,
    consecutiveFailures: state.consecutiveFailures,
    coolDownMs: state.coolDownMs,
    lastFailure: state.lastFailure,
  };
  if (event === 'OPENED') log.error('price source circuit opened: source skipped during cool-down', fields);
  else if (event === 'REOPENED') log.warn('price source trial read failed: circuit open again', fields);
  else if (event === 'TRIAL') log.info('price source circuit half-open: trial read', fields);
  else log.info('price source recovered: circuit closed', fields);
}
