/**
 * Counts what flows where in the local stack: messages published per topic, deliveries pushed to each
 * function and how they ended, rows stored per warehouse table. `npm start -- --once` prints it.
 */
import type { TableName } from '../shared/contracts/warehouse-tables';
import type { TableRows, TopicMessages } from '../shared/contracts/schema-types';
import type { EventBus, MessageTopic, PublishOptions, RawTopic } from '../shared/ports/event-bus';
import type { Warehouse } from '../shared/ports/warehouse';
import type { DeliveryObserver } from '../shared/platform/triggers/pubsub-handler';
import type { TopicName } from '../shared/topology/topology';

export class FlowMeter {
  readonly published = new Map<string, number>();
  readonly deliveries = new Map<
    string,
    { handled: number; rejected: number; failed: number; totalMs: number }
  >();
  readonly stored = new Map<string, number>();
  /** Called after each successful publish (benchmarks time the path with it). */
  readonly publishListeners: ((topic: TopicName, message: unknown) => void)[] = [];
  /** performance.now() of the last delivery that ended or message published: when the stack last did work. */
  lastActivityAt = 0;

  private bump(map: Map<string, number>, key: string, by = 1): void {
    map.set(key, (map.get(key) ?? 0) + by);
  }

  readonly observe: DeliveryObserver = ({ functionName, topic, outcome, durationMs }) => {
    const key = `${topic} → ${functionName}`;
    const d = this.deliveries.get(key) ?? { handled: 0, rejected: 0, failed: 0, totalMs: 0 };
    d[outcome]++;
    d.totalMs += durationMs;
    this.deliveries.set(key, d);
    this.lastActivityAt = performance.now();
  };

  meterBus(bus: EventBus): EventBus {
    return {
      publish: async <T extends MessageTopic>(
        topic: T,
        message: TopicMessages[T],
        options?: PublishOptions,
      ) => {
        const id = await bus.publish(topic, message, options);
        this.bump(this.published, topic);
        this.lastActivityAt = performance.now();
        for (const l of this.publishListeners) l(topic, message);
        return id;
      },
      publishRaw: async (topic: RawTopic, data: Buffer, options?: PublishOptions) => {
        const id = await bus.publishRaw(topic, data, options);
        this.bump(this.published, topic);
        this.lastActivityAt = performance.now();
        return id;
      },
    };
  }

  meterWarehouse(w: Warehouse): Warehouse {
    return {
      insert: async <T extends TableName>(table: T, rows: TableRows[T][]) => {
        await w.insert(table, rows);
        this.bump(this.stored, table, rows.length);
      },
      query: (sql, params) => w.query(sql, params),
      close: () => w.close(),
    };
  }

  /** Total deliveries seen so far (for waiting until the pipeline is quiet). */
  totalDeliveries(): number {
    let n = 0;
    for (const d of this.deliveries.values()) n += d.handled + d.rejected + d.failed;
    return n;
  }

  totalPublished(): number {
    let n = 0;
    for (const v of this.published.values()) n += v;
    return n;
  }

  summary(): string {
    const lines = ['published (messages per topic):'];
    for (const [k, v] of [...this.published].sort()) lines.push(`  ${k.padEnd(28)} ${v}`);
    lines.push('pushed → handled (deliveries per subscription):');
    for (const [k, d] of [...this.deliveries].sort()) {
      const avg = d.totalMs / Math.max(1, d.handled + d.rejected + d.failed);
      lines.push(
        `  ${k.padEnd(52)} handled ${d.handled}, rejected ${d.rejected}, failed ${d.failed} (avg ${avg.toFixed(0)} ms)`,
      );
    }
    lines.push('stored (rows per warehouse table, re-sent rows counted once by the table):');
    for (const [k, v] of [...this.stored].sort()) lines.push(`  ${k.padEnd(28)} ${v}`);
    return lines.join('\n');
  }
}
