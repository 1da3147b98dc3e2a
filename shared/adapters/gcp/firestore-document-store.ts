import type { BulkWriter, Firestore, Timestamp, Transaction } from '@google-cloud/firestore';
import { KeyedQueue } from '../../platform/keyed-queue';
import { TurnBatch } from '../../platform/turn-batch';
import {
  commitTimeText,
  type CommitPosition,
  DocumentData,
  DocumentStore,
  DocumentTransaction,
  FieldFilter,
  StoredDocument,
} from '../../ports/document-store';

const ALREADY_EXISTS = 6; // gRPC status code

/** A commit time as the port's fixed-width text: 12 digits of seconds, 9 of nanoseconds. */
function commitText(t: Timestamp): string {
  return commitTimeText(t.seconds, t.nanoseconds);
}

export interface FirestoreOptions {
  projectId: string;
  emulatorHost?: string;
  databaseId?: string;
  /**
   * Single-document reads and writes of one instance are gathered per turn of the event loop (default true):
   * reads into one BatchGetDocuments, plain writes and creates into one BatchWrite (each write with its own
   * precondition and result, not atomic together). Measured on the emulator at 80 in flight: about six times
   * the documents per second of one request each. false sends one request per call.
   */
  coalesce?: boolean;
}

/** At most this many documents per gathered read (getAll) — far below Firestore's request size limits. */
const READ_BATCH = 300;

type Ref = { collection: string; id: string };

/** Firestore (native mode) behind the DocumentStore port; the emulator is used when emulatorHost is given. */
export class FirestoreDocumentStore implements DocumentStore {
  private client?: Promise<Firestore>;
  private writer?: BulkWriter;
  private flushQueued = false;
  /** A BulkWriter orders nothing between its batches: writes to one document wait for the one before. */
  private readonly writesByDoc = new KeyedQueue();
  private readonly reads = new TurnBatch<Ref, DocumentData | undefined>(
    (refs) => this.readAll(refs),
    READ_BATCH,
  );
  private closed = false;
  /** Operations started and not settled; close() waits for them before it terminates the client. */
  private active = 0;
  private idle?: () => void;

  constructor(private readonly options: FirestoreOptions) {
    // Every operation is counted: terminating the client under a query in flight makes the client reject a
    // promise of its own that nobody holds, which ends the process (seen at shutdown under load).
    for (const name of OPERATIONS) {
      const op = (this[name] as (...args: unknown[]) => Promise<unknown>).bind(this);
      (this as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => this.counted(op(...args));
    }
  }

  private counted<T>(work: Promise<T>): Promise<T> {
    this.active++;
    return work.finally(() => {
      if (--this.active === 0) this.idle?.();
    });
  }

  private db(): Promise<Firestore> {
    // After close, calls fail here, as an ordinary rejection the caller handles: inside the client, a query
    // started on a terminated client rejects a promise nobody holds and takes the process down.
    if (this.closed) return Promise.reject(new Error('the document store is closed'));
    this.client ??= import('@google-cloud/firestore').then(({ Firestore }) => {
      const { projectId, emulatorHost, databaseId } = this.options;
      return new Firestore({
        projectId,
        ignoreUndefinedProperties: true,
        ...(databaseId ? { databaseId } : {}),
        ...(emulatorHost
          ? { host: emulatorHost, ssl: false, customHeaders: { Authorization: 'Bearer owner' } }
          : {}),
      });
    });
    return this.client;
  }

  async get<T extends DocumentData>(collection: string, id: string): Promise<T | undefined> {
    if (this.options.coalesce !== false) return (await this.reads.add({ collection, id })) as T | undefined;
    const snap = await (await this.db()).collection(collection).doc(id).get();
    return snap.exists ? (snap.data() as T) : undefined;
  }

  /** One read of the documents asked in a turn; a document asked twice is read once. */
  private async readAll(refs: Ref[]): Promise<(DocumentData | undefined)[]> {
    const db = await this.db();
    const paths = refs.map((r) => `${r.collection}/${r.id}`);
    const unique = [...new Set(paths)];
    const snaps = await db.getAll(...unique.map((p) => db.doc(p)));
    const byPath = new Map(unique.map((p, i) => [p, snaps[i]]));
    return paths.map((p) => {
      const snap = byPath.get(p);
      return snap?.exists ? snap.data() : undefined;
    });
  }

  /** The instance's BulkWriter, unthrottled: its 500-ops/s ramp is for bulk loads, not for request traffic. */
  private async bulk(): Promise<BulkWriter> {
    const db = await this.db();
    this.writer ??= db.bulkWriter({ throttling: false });
    return this.writer;
  }

  /** A BulkWriter sends a batch only when it is full or flushed: flush once at the end of this turn. */
  private flushSoon(writer: BulkWriter): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      // Each write's own promise carries its result; flush only pushes the batch out.
      writer.flush().catch(() => undefined);
    });
  }

  async getMany<T extends DocumentData>(collection: string, ids: string[]): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    if (ids.length === 0) return out;
    if (this.options.coalesce !== false) {
      // Read with the other calls of this turn (every recipient list of the alerts in flight in one request).
      const docs = await Promise.all(ids.map((id) => this.reads.add({ collection, id })));
      ids.forEach((id, i) => docs[i] && out.set(id, docs[i] as T));
      return out;
    }
    const db = await this.db();
    const refs = ids.map((id) => db.collection(collection).doc(id));
    for (let i = 0; i < refs.length; i += 300) {
      const snaps = await db.getAll(...refs.slice(i, i + 300));
      for (const s of snaps) if (s.exists) out.set(s.id, s.data() as T);
    }
    return out;
  }

  async set(collection: string, id: string, data: DocumentData): Promise<void> {
    const db = await this.db();
    const ref = db.collection(collection).doc(id);
    if (this.options.coalesce === false) {
      await ref.set(data);
      return;
    }
    await this.gathered(ref, (writer) => writer.set(ref, data));
  }

  /** One write in this turn's BatchWrite, after any earlier write to the same document. */
  private async gathered(
    ref: FirebaseFirestoreRef,
    write: (writer: BulkWriter) => Promise<unknown>,
  ): Promise<void> {
    const writer = await this.bulk();
    await this.writesByDoc.run(ref.path, () => {
      const written = write(writer);
      this.flushSoon(writer);
      return written;
    });
  }

  async createIfAbsent(collection: string, id: string, data: DocumentData): Promise<boolean> {
    if (this.options.coalesce === false) return this.createOne(collection, id, data);
    const ref = (await this.db()).collection(collection).doc(id);
    return createdUnlessExists(this.gathered(ref, (writer) => writer.create(ref, data)));
  }

  /** A create in a request of its own (its commit time is the request's: appendIfAbsent relies on it). */
  private async createOne(collection: string, id: string, data: DocumentData): Promise<boolean> {
    return createdUnlessExists((await this.db()).collection(collection).doc(id).create(data));
  }

  async query<T extends DocumentData>(
    collection: string,
    filters: FieldFilter[],
  ): Promise<StoredDocument<T>[]> {
    let q: FirebaseFirestoreQuery = (await this.db()).collection(collection);
    for (const f of filters) q = q.where(f.field, f.op, f.value);
    const snap = await q.get();
    return snap.docs.map((d) => ({ id: d.id, data: d.data() as T }));
  }

  async appendIfAbsent(collection: string, id: string, data: DocumentData, field: string): Promise<boolean> {
    const { FieldValue } = await import('@google-cloud/firestore');
    // The commit time itself (REQUEST_TIME): the store's clock, consistent with what a later read can see.
    return this.createOne(collection, id, { ...data, [field]: FieldValue.serverTimestamp() });
  }

  async readAfter<T extends DocumentData>(
    collection: string,
    field: string,
    after: CommitPosition | null,
    limit: number,
    settleMs: number,
  ): Promise<(StoredDocument<T> & { position: CommitPosition })[]> {
    const { FieldPath, Timestamp } = await import('@google-cloud/firestore');
    let q = (await this.db()).collection(collection).orderBy(field).orderBy(FieldPath.documentId());
    if (after) {
      const [seconds, nanos] = after.committedAt.split('.').map(Number);
      // An empty id is a position between documents (before every id at that time): Firestore refuses an
      // empty document id as a cursor value, and starting at the time alone means the same.
      q = after.id
        ? q.startAfter(new Timestamp(seconds, nanos), after.id)
        : q.startAt(new Timestamp(seconds, nanos));
    }
    const snap = await q.limit(limit).get();
    // The horizon is on the store's clock (the snapshot's read time), like the commit times it is compared with.
    const horizon = commitText(Timestamp.fromMillis(snap.readTime.toMillis() - settleMs));
    const settled = snap.docs.filter((d) => commitText(d.get(field) as Timestamp) <= horizon);
    return settled.map((d) => {
      const committedAt = commitText(d.get(field) as Timestamp);
      return {
        id: d.id,
        data: { ...(d.data() as T), [field]: committedAt },
        position: { committedAt, id: d.id },
      };
    });
  }

  async readLatest<T extends DocumentData>(
    collection: string,
    field: string,
    limit: number,
    settleMs: number,
  ): Promise<(StoredDocument<T> & { position: CommitPosition })[]> {
    const { FieldPath, Timestamp } = await import('@google-cloud/firestore');
    // One query, newest first; those not yet settled at its read time are left out (they are read after).
    const db = await this.db();
    const snap = await db
      .collection(collection)
      .orderBy(field, 'desc')
      .orderBy(FieldPath.documentId(), 'desc')
      .limit(limit)
      .get();
    const horizon = commitText(Timestamp.fromMillis(snap.readTime.toMillis() - settleMs));
    const settled = snap.docs.filter((d) => commitText(d.get(field) as Timestamp) <= horizon);
    return settled.reverse().map((d) => {
      const committedAt = commitText(d.get(field) as Timestamp);
      return {
        id: d.id,
        data: { ...(d.data() as T), [field]: committedAt },
        position: { committedAt, id: d.id },
      };
    });
  }

  async runTransaction<R>(fn: (tx: DocumentTransaction) => Promise<R>): Promise<R> {
    const db = await this.db();
    return db.runTransaction(async (t: Transaction) => {
      const tx: DocumentTransaction = {
        get: async <T extends DocumentData>(collection: string, id: string) => {
          const snap = await t.get(db.collection(collection).doc(id));
          return snap.exists ? (snap.data() as T) : undefined;
        },
        getAll: async (refs) => {
          if (refs.length === 0) return [];
          const snaps = await t.getAll(...refs.map((r) => db.collection(r.collection).doc(r.id)));
          return snaps.map((snap) => (snap.exists ? snap.data() : undefined));
        },
        set: (collection, id, data) => {
          t.set(db.collection(collection).doc(id), data);
        },
        create: (collection, id, data) => {
          t.create(db.collection(collection).doc(id), data);
        },
        delete: (collection, id) => {
          t.delete(db.collection(collection).doc(id));
        },
      };
      return fn(tx);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.active > 0)
      await new Promise<void>((resolve) => {
        this.idle = resolve;
        setTimeout(resolve, CLOSE_DRAIN_MS).unref();
      });
    if (this.writer) await this.writer.close().catch(() => undefined);
    if (this.client) await (await this.client).terminate();
  }
}

type FirebaseFirestoreQuery = import('@google-cloud/firestore').Query;
type FirebaseFirestoreRef = import('@google-cloud/firestore').DocumentReference;

/** true once `create` is written; false when the document already existed. */
async function createdUnlessExists(create: Promise<unknown>): Promise<boolean> {
  try {
    await create;
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === ALREADY_EXISTS) return false;
    throw err;
  }
}

const OPERATIONS = [
  'get',
  'getMany',
  'set',
  'createIfAbsent',
  'query',
  'readAfter',
  'readLatest',
  'runTransaction',
] as const;

/** How long close() waits for operations in flight before it terminates the client anyway. */
const CLOSE_DRAIN_MS = 5000;
