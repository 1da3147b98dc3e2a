/** Helpers for the KYC tests: a store that remembers every byte written, signed deliveries, PII samples. */
import type { TableRows } from '../../shared/contracts/schema-types';
import { rowsOf } from '../../shared/platform/warehouse-rows';
import { MemoryDocumentStore } from './memory/memory-document-store';
import { MemoryEventBus } from './memory/memory-event-bus';
import { DevKeyCipher } from '../../shared/adapters/local/dev-key-cipher';
import { personaSignatureHeader } from '../../shared/domain/kyc/signature';
import { ManualClock } from '../../shared/platform/clocks';
import { CapturingSink } from './capturing-sink';
import { StructuredLogger } from '../../shared/platform/logger';
import type {
  DocumentData,
  DocumentStore,
  CommitPosition,
  DocumentTransaction,
  FieldFilter,
  StoredDocument,
} from '../../shared/ports/document-store';
import type { Warehouse, WarehouseRow } from '../../shared/ports/warehouse';
import type { TableName } from '../../shared/contracts/warehouse-tables';
import {
  DEFAULT_PERSONA_WEBHOOK_CONFIG,
  type PersonaWebhookDeps,
} from '../../shared/use-cases/handle-persona-webhook';
import { personaInquiryEvent, type InquiryState } from '../../local-stack/providers/persona-events';

export const SECRET = 'wbhsec_test_secret_for_unit_tests';
export const OLD_SECRET = 'wbhsec_previous_secret_being_rotated';

/** A user's personal data as Persona sends it (kebab-case inquiry attributes). */
export const ALICE_PII = {
  'name-first': 'Alicja',
  'name-middle': 'Zofia',
  'name-last': 'Wróblewska-Kowalczyk',
  birthdate: '1987-11-23',
  'address-street-1': '17 Rue des Tanneurs',
  'address-city': 'Liège',
  'address-postal-code': '4000',
  'identification-number': 'EH4471902',
  'email-address': 'alicja.w@example.org',
  'phone-number': '+32 470 12 34 56',
};

/** Every distinctive value of ALICE_PII: none may appear outside an encrypted envelope. */
export const ALICE_SECRETS = [
  'Alicja',
  'Zofia',
  'Wróblewska',
  '1987-11-23',
  'Rue des Tanneurs',
  'Liège',
  'EH4471902',
  'alicja.w@example.org',
  '470 12 34 56',
];

/** Records every document written, by any path (set, create, transactions), to search it for plaintext. */
export class RecordingStore implements DocumentStore {
  readonly writes: { collection: string; id: string; data: DocumentData }[] = [];
  constructor(readonly inner: DocumentStore = new MemoryDocumentStore()) {}
  get<T extends DocumentData>(c: string, id: string) {
    return this.inner.get<T>(c, id);
  }
  getMany<T extends DocumentData>(c: string, ids: string[]) {
    return this.inner.getMany<T>(c, ids);
  }
  async set(c: string, id: string, data: DocumentData) {
    await this.inner.set(c, id, data);
    this.writes.push({ collection: c, id, data });
  }
  async createIfAbsent(c: string, id: string, data: DocumentData) {
    const created = await this.inner.createIfAbsent(c, id, data);
    if (created) this.writes.push({ collection: c, id, data });
    return created;
  }
  query<T extends DocumentData>(c: string, f: FieldFilter[]): Promise<StoredDocument<T>[]> {
    return this.inner.query<T>(c, f);
  }
  appendIfAbsent(c: string, id: string, data: DocumentData, field: string): Promise<boolean> {
    return this.inner.appendIfAbsent(c, id, data, field);
  }
  readAfter<T extends DocumentData>(
    c: string,
    field: string,
    after: CommitPosition | null,
    limit: number,
    settleMs: number,
  ) {
    return this.inner.readAfter<T>(c, field, after, limit, settleMs);
  }
  readLatest<T extends DocumentData>(c: string, field: string, limit: number, settleMs: number) {
    return this.inner.readLatest<T>(c, field, limit, settleMs);
  }
  async runTransaction<R>(fn: (tx: DocumentTransaction) => Promise<R>): Promise<R> {
    const pending: { collection: string; id: string; data: DocumentData }[] = [];
    const result = await this.inner.runTransaction(async (tx) => {
      pending.length = 0;
      return fn({
        get: (c, id) => tx.get(c, id),
        getAll: (refs) => tx.getAll(refs),
        set: (c, id, data) => {
          pending.push({ collection: c, id, data });
          tx.set(c, id, data);
        },
        create: (c, id, data) => {
          pending.push({ collection: c, id, data });
          tx.create(c, id, data);
        },
        delete: (c, id) => tx.delete(c, id),
      });
    });
    this.writes.push(...pending);
    return result;
  }
  /** Documents currently stored in a collection. */
  async all<T extends DocumentData>(c: string): Promise<StoredDocument<T>[]> {
    return this.inner.query<T>(c, []);
  }
}

export class MemoryWarehouse implements Warehouse {
  readonly rows = new Map<string, WarehouseRow[]>();
  failNext = 0;
  async insert<T extends TableName>(table: T, typedRows: TableRows[T][]): Promise<void> {
    const rows = rowsOf(typedRows);
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('warehouse unavailable (injected)');
    }
    const have = this.rows.get(table) ?? [];
    for (const r of rows) if (!have.some((h) => h.event_id === r.event_id)) have.push(r);
    this.rows.set(table, have);
  }
  async query<T extends WarehouseRow>(): Promise<T[]> {
    return [];
  }
  async close(): Promise<void> {}
}

export function webhookSetup(now = '2024-03-15T18:40:00Z') {
  const clock = new ManualClock(now);
  const sink = new CapturingSink();
  const store = new RecordingStore();
  const bus = new MemoryEventBus();
  const warehouse = new MemoryWarehouse();
  const deps: PersonaWebhookDeps = {
    store,
    bus,
    warehouse,
    cipher: new DevKeyCipher({}),
    clock,
    logger: new StructuredLogger({ sink: sink.sink }),
    webhookSecrets: async () => [SECRET],
    config: DEFAULT_PERSONA_WEBHOOK_CONFIG,
  };
  return { clock, sink, store, bus, warehouse, deps };
}

export function inquiry(over: Partial<InquiryState> = {}): InquiryState {
  return {
    id: 'inq_AliceFirstInquiry0001',
    status: 'created',
    referenceId: 'user-alice',
    templateId: 'itmpl_TestTemplate',
    createdAt: '2024-03-15T18:30:00.000Z',
    ...over,
  };
}

/** A Persona event for `name` at `createdAt` (status follows the event). */
export function event(
  eventId: string,
  name: string,
  createdAt: string,
  over: Partial<InquiryState> = {},
  inflection: 'kebab' | 'camel' | 'snake' = 'kebab',
): string {
  const status = name
    .split('.')[1]
    .replace('marked-for-review', 'needs_review')
    .replace('started', 'pending');
  return JSON.stringify(
    personaInquiryEvent({ eventId, name, createdAt, inquiry: inquiry({ status, ...over }), inflection }),
  );
}

export function signed(body: string, clock: ManualClock, secrets = [SECRET], skewSeconds = 0) {
  const t = Math.floor(clock.now().getTime() / 1000) + skewSeconds;
  return { rawBody: Buffer.from(body), signatureHeader: personaSignatureHeader(secrets, t, body) };
}
