/** Shared by the AML tests: transactions, the bundled policy compiled with the bundled lists, history. */
import {
  compilePolicy,
  parsePolicy,
  type AmlPolicy,
  type CompiledPolicy,
} from '../../shared/domain/aml/policy';
import type { AmlTransaction, WindowEntry } from '../../shared/domain/aml/window';
import { entryOf } from '../../shared/domain/aml/window';
import { readAmlConfig, DEFAULT_AML_POLICY } from '../../shared/platform/config/aml';

export const T0 = '2025-11-10T12:00:00.000Z';
const t0 = Date.parse(T0);

/** ISO time `ms` milliseconds after T0 (negative: before). */
export function at(ms: number): string {
  return new Date(t0 + ms).toISOString();
}

export const SECOND = 1000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

let seq = 0;

export function tx(overrides: Partial<AmlTransaction> = {}): AmlTransaction {
  seq++;
  return {
    transactionId: `tx-${seq}`,
    userId: 'user-1',
    accountOpenedAt: '2024-01-15T09:00:00Z',
    type: 'DEPOSIT',
    channel: 'WIRE',
    amount: '1234.56',
    currency: 'USD',
    amountUsd: 1234.56,
    customerCountry: 'US',
    counterparty: { name: 'Jane Q Public', kind: 'individual', country: 'US' },
    occurredAt: T0,
    ...overrides,
  };
}

/** Window entries of earlier transactions, `offsets` ms relative to T0, each worth `usd`. */
export function history(offsets: number[], usd = 100, extra: Partial<AmlTransaction> = {}): WindowEntry[] {
  return offsets.map((o) =>
    entryOf(tx({ occurredAt: at(o), amountUsd: usd, amount: String(usd), ...extra })),
  );
}

export function defaultPolicyDocument(): AmlPolicy {
  return structuredClone(parsePolicy(DEFAULT_AML_POLICY));
}

let bundled: CompiledPolicy | undefined;

/** The bundled policy with the bundled screening lists, exactly as a deployment without overrides loads it. */
export function bundledPolicy(): CompiledPolicy {
  bundled ??= readAmlConfig({}).policy;
  return bundled;
}

/** The bundled lists under a modified policy document (a rule change as pure data). */
export function withDocument(doc: AmlPolicy): CompiledPolicy {
  return compilePolicy(parsePolicy(doc), bundledPolicy().screening);
}

/** The compiled policy restricted to one rule id, to test rules in isolation. */
export function onlyRule(id: string, patch?: (rule: AmlPolicy['rules'][number]) => void): CompiledPolicy {
  const doc = defaultPolicyDocument();
  doc.rules = doc.rules.filter((r) => r.id === id);
  if (doc.rules.length !== 1) throw new Error(`no rule ${id}`);
  patch?.(doc.rules[0]);
  return withDocument(doc);
}
