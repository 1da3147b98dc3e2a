/**
 * evaluateAml with real adapters for the AML integration tests: Firestore on the emulator (window and
 * evaluation documents, alerts), DuckDB as the warehouse (compliance.aml_alerts) and a memory bus
 * (alerts.aml.v1, with injectable publish failures). Each harness has its own Firestore project.
 */
import type { CloudEvent } from '@google-cloud/functions-framework';
import { FirestoreDocumentStore } from '../../shared/adapters/gcp/firestore-document-store';
import { DevKeyCipher } from '../../shared/adapters/local/dev-key-cipher';
import { DuckDbWarehouse } from '../../shared/adapters/local/duckdb-warehouse';
import { MemoryEventBus } from './memory/memory-event-bus';
import type { AmlAlert } from '../../shared/domain/aml/alerts';
import type { CompiledPolicy } from '../../shared/domain/aml/policy';
import type { AmlTransaction } from '../../shared/domain/aml/window';
import { evaluateAml as evaluateAmlFunction } from '../../functions/evaluate-aml/wiring';
import { localPlatform } from '../../local-stack/platform';
import { ManualClock } from '../../shared/platform/clocks';
import { CapturingSink } from './capturing-sink';
import { StructuredLogger } from '../../shared/platform/logger';
import type { MessagePublishedData } from '../../shared/platform/triggers/pubsub-handler';
import { evaluateAml, type AmlDeps, type AmlOutcome } from '../../shared/use-cases/evaluate-aml';
import { emulatorHosts, isolatedProjectId } from './env';
import { bundledPolicy } from './aml-fixtures';
import { pubsubPush } from './pubsub-push';

export class AmlHarness {
  readonly bus = new MemoryEventBus();
  readonly sink = new CapturingSink();
  readonly cipher = new DevKeyCipher({ ENVIRONMENT: 'local' });
  // After the scenario stream (08:00–16:00): evaluateAml refuses transactions dated after now.
  readonly clock = new ManualClock('2025-11-10T16:00:05Z');

  private constructor(
    readonly projectId: string,
    readonly store: FirestoreDocumentStore,
    readonly warehouse: DuckDbWarehouse,
    readonly policy: CompiledPolicy,
  ) {}

  static async open(label: string, policy: CompiledPolicy = bundledPolicy()): Promise<AmlHarness> {
    const projectId = isolatedProjectId(label);
    const store = new FirestoreDocumentStore({ projectId, emulatorHost: emulatorHosts().firestoreHost });
    return new AmlHarness(projectId, store, await DuckDbWarehouse.open(':memory:'), policy);
  }

  deps(): AmlDeps {
    return {
      store: this.store,
      bus: this.bus,
      warehouse: this.warehouse,
      clock: this.clock,
      logger: new StructuredLogger({ sink: this.sink.sink, projectId: this.projectId }),
      policy: this.policy,
      cipher: this.cipher,
    };
  }

  deliver(tx: AmlTransaction): Promise<AmlOutcome> {
    return evaluateAml(this.deps(), tx);
  }

  /** The deployed function's own wiring (the bundled policy), fed real Pub/Sub push CloudEvents. */
  handler() {
    const platform = localPlatform({
      ...this.deps(),
      env: { ENVIRONMENT: 'local' },
      secrets: { get: async (name) => Promise.reject(new Error(`no secret ${name}`)) },
    });
    return evaluateAmlFunction.serve(async () => platform);
  }

  alerts(): AmlAlert[] {
    return this.bus.messages.filter((m) => m.topic === 'alerts.aml.v1').map((m) => m.data as AmlAlert);
  }

  async rows(): Promise<{ alert_id: string; rule_id: string; transaction_id: string }[]> {
    return this.warehouse.query(
      'SELECT alert_id, rule_id, transaction_id FROM compliance.aml_alerts ORDER BY alert_id',
    );
  }

  async close(): Promise<void> {
    await this.store.close();
    await this.warehouse.close();
  }
}

/** A Pub/Sub push of `payload` on compliance.transactions.v1, as the Functions Framework hands it over. */
export function transactionPush(payload: unknown, projectId: string): CloudEvent<MessagePublishedData> {
  return pubsubPush(payload, projectId, {
    topic: 'compliance.transactions.v1',
    subscription: 'evaluate-aml.transactions',
  });
}

export function duplicates(ids: string[]): string[] {
  return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
}
