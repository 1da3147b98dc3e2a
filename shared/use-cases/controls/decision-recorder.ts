/**
 * checkRisk's work after the answer: the warehouse row of every decision, the breaker events of hard denials,
 * and the decision records that could not be written when the store was down (a risk-reducing action approved
 * anyway). None of it delays an answer; all of it is retried until it lands (rows and records are keyed by the
 * decision id, breaker events by it too, so a retry never counts twice). A breaker that trips halts its
 * scope in the same transaction; the halt is then announced (row and STOP_CHANGED alert, keyed by the audit
 * entry) until that succeeds. flush() runs on a timer and on shutdown.
 */
import { CONTROLS_COLLECTIONS, recordBreakerEvent, type StopTransition } from './controls-store';
import type { BreakerConfig } from '../../domain/controls/breaker';
import type { PolicyScope } from '../../domain/controls/policy';
import type { TableRows } from '../../contracts/schema-types';
import type { Clock } from '../../ports/clock';
import type { DocumentData, DocumentStore } from '../../ports/document-store';
import type { Logger } from '../../ports/logger';
import type { Warehouse } from '../../ports/warehouse';

type Row = TableRows['risk.pre_trade_decisions'];

export interface BreakerWork {
  scope: PolicyScope;
  config: BreakerConfig;
  event: { id: string; at: string; what: string };
}

/** Attempts per item before it is logged as lost (about a minute at the default interval). */
const MAX_ATTEMPTS = 60;

export class DecisionRecorder {
  private rows: Row[] = [];
  private records: { id: string; data: DocumentData; attempts: number }[] = [];
  private breaker: (BreakerWork & { attempts: number })[] = [];
  private halts: { transition: StopTransition; attempts: number }[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: DocumentStore,
    private readonly warehouse: Warehouse,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** Announces a stop transition; false when it must be tried again. */
    private readonly announce: (t: StopTransition) => Promise<boolean>,
  ) {}

  row(r: Row): void {
    this.rows.push(r);
  }

  /** A decision record the answer could not wait for (the store was down): created if still absent. */
  record(id: string, data: DocumentData): void {
    this.records.push({ id, data, attempts: 0 });
  }

  breakerEvent(w: BreakerWork): void {
    this.breaker.push({ ...w, attempts: 0 });
  }

  get pending(): number {
    return this.rows.length + this.records.length + this.breaker.length + this.halts.length;
  }

  start(intervalMs = 1000): void {
    this.timer ??= setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and writes what is pending (shutdown). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Writes everything pending once; failures stay queued. One flush at a time. Never throws. */
  flush(): Promise<void> {
    this.flushing ??= this.flushOnce().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    const rows = this.rows.splice(0);
    const records = this.records.splice(0);
    const breaker = this.breaker.splice(0);
    const halts = this.halts.splice(0);
    await Promise.all([
      rows.length
        ? this.warehouse.insert('risk.pre_trade_decisions', rows).catch((err: unknown) => {
            this.logger.warn('pre-trade decision rows not written; retrying', {
              rows: rows.length,
              detail: (err as Error).message,
            });
            this.rows.unshift(...rows);
          })
        : undefined,
      ...records.map((r) =>
        this.store.createIfAbsent(CONTROLS_COLLECTIONS.decisions, r.id, r.data).catch((err: unknown) => {
          this.retry(this.records, r, 'pre-trade decision record', err);
        }),
      ),
      // One scope at a time: the events of a scope share its breaker document.
      (async () => {
        for (const w of breaker) {
          try {
            const out = await recordBreakerEvent(this.store, w.scope, w.event, w.config, this.clock.now());
            if (out.halted) {
              this.logger.error('circuit breaker tripped by pre-trade denials; scope HALTED', {
                scopeKey: out.halted.after.scopeKey,
                auditId: out.halted.auditId,
              });
              halts.push({ transition: out.halted, attempts: 0 });
            }
          } catch (err) {
            this.retry(this.breaker, w, 'breaker event', err);
          }
        }
        for (const h of halts) {
          const done = await this.announce(h.transition).catch(() => false);
          if (!done) this.retry(this.halts, h, 'stop announcement', new Error(h.transition.auditId));
        }
      })(),
    ]);
    if (this.rows.length > 10_000) {
      // A warehouse down for long: keep the newest; the Firestore decision records remain the durable copy.
      const dropped = this.rows.splice(0, this.rows.length - 10_000);
      this.logger.error('pre-trade decision rows dropped after repeated failures', { rows: dropped.length });
    }
  }

  private retry<T extends { attempts: number }>(queue: T[], item: T, what: string, err: unknown): void {
    item.attempts += 1;
    if (item.attempts < MAX_ATTEMPTS) queue.push(item);
    else this.logger.error(`${what} lost after repeated failures`, { detail: (err as Error).message });
  }
}
