/**
 * Misuses the compiler must refuse: `npm run typecheck` fails if any marked line stops being an error, and
 * typed-contracts.test.ts checks that each one is refused for the reason given. Never run, only compiled.
 */
import type { TableRows, TopicMessages } from '../../../shared/contracts/schema-types';
import type { EventBus } from '../../../shared/ports/event-bus';
import type { Warehouse } from '../../../shared/ports/warehouse';

export async function misuses(
  bus: EventBus,
  warehouse: Warehouse,
  alert: TopicMessages['alerts.margin.v1'],
  price: TopicMessages['market.prices.v1'],
  priceRow: TableRows['market.prices'],
): Promise<void> {
  await bus.publish('alerts.margin.v1', alert);
  await warehouse.insert('market.prices', [priceRow]);
  // @ts-expect-error a margin alert is not a price message
  await bus.publish('market.prices.v1', alert);
  // @ts-expect-error a topic shared/contracts/topology.json does not declare
  await bus.publish('market.prices.v2', price);
  // @ts-expect-error a topic with a schema is never forwarded raw
  await bus.publishRaw('alerts.margin.v1', Buffer.alloc(0));
  // @ts-expect-error a price row in the margin events table
  await warehouse.insert('risk.margin_events', [priceRow]);
  // @ts-expect-error a table no row schema declares
  await warehouse.insert('risk.margin_calls', [priceRow]);
}
