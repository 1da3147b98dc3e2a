/**
 * How an area (KYC, AML, notifications, operations) plugs its functions and local provider servers into the
 * local stack without editing stack.ts: it receives the shared platform adapters and returns its handlers.
 */
import type { CloudEventFunction, HttpFunction } from '@google-cloud/functions-framework';
import type { Clock } from '../../shared/ports/clock';
import type { DocumentStore } from '../../shared/ports/document-store';
import type { EventBus } from '../../shared/ports/event-bus';
import type { Logger } from '../../shared/ports/logger';
import type { Warehouse } from '../../shared/ports/warehouse';
import type { DeliveryObserver } from '../../shared/platform/pubsub-handler';
import type { FunctionName } from '../../shared/topology/topology';

export interface WiringContext {
  projectId: string;
  store: DocumentStore;
  bus: EventBus;
  warehouse: Warehouse;
  clock: Clock;
  logger: Logger;
  /** Counts deliveries for the flow summary and settle(); pass it to lazyPubSubFunction. */
  observe: DeliveryObserver;
}

export interface AreaWiring<S = unknown> {
  /** HTTP functions of this area, by topology name. */
  http?: Partial<Record<FunctionName, HttpFunction>>;
  /** Pub/Sub push (CloudEvent) functions of this area, by topology name. */
  cloudEvent?: Partial<Record<FunctionName, CloudEventFunction>>;
  /** Local provider servers and anything scenarios or tests need to inspect. */
  services: S;
  close?: () => Promise<void>;
}
