/**
 * An area's part of the local stack (KYC, AML, notifications, operations): the local provider servers its
 * functions talk to, the settings and secrets that point the functions' own wiring at them, and handles for
 * scenarios and tests. The functions themselves are served from their one wiring (functions/registry.ts).
 */
import type { Clock } from '../../shared/ports/clock';
import type { Warehouse } from '../../shared/ports/warehouse';
import type { FunctionName } from '../../shared/topology/topology';
import type { LocalSecrets } from '../platform';

export interface AreaContext {
  projectId: string;
  warehouse: Warehouse;
  clock: Clock;
  /** The stack's secret store: an area adds the secrets its providers expect. */
  secrets: LocalSecrets;
  /** The stack's environment so far (an area may read settings the caller passed). */
  env: NodeJS.ProcessEnv;
}

export interface LocalArea<S = unknown> {
  /** The functions of this area, served by the stack with their production wiring. */
  functions: FunctionName[];
  /** Settings that point those functions at this area's local servers. */
  env: Record<string, string>;
  /** Local provider servers and anything scenarios or tests need to inspect. */
  services: S;
  close?: () => Promise<void>;
}
