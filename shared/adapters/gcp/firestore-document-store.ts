import type { Firestore, Transaction } from '@google-cloud/firestore';
import type {
  DocumentData,
  DocumentStore,
  DocumentTransaction,
  FieldFilter,
  StoredDocument,
} from '../../ports/document-store';

const ALREADY_EXISTS = 6; // gRPC status code

/** Firestore (native mode) behind the DocumentStore port; the emulator is used when emulatorHost is given. */
export class FirestoreDocumentStore implements DocumentStore {
  private client?: Promise<Firestore>;

  constructor(private readonly options: { projectId: string; emulatorHost?: string; databaseId?: string }) {}

  private db(): Promise<Firestore> {
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
    const snap = await (await this.db()).collection(collection).doc(id).get();
    return snap.exists ? (snap.data() as T) : undefined;
  }

  async getMany<T extends DocumentData>(collection: string, ids: string[]): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    if (ids.length === 0) return out;
    const db = await this.db();
    const refs = ids.map((id) => db.collection(collection).doc(id));
    for (let i = 0; i < refs.length; i += 300) {
      const snaps = await db.getAll(...refs.slice(i, i + 300));
      for (const s of snaps) if (s.exists) out.set(s.id, s.data() as T);
    }
    return out;
  }

  async set(collection: string, id: string, data: DocumentData): Promise<void> {
    await (await this.db()).collection(collection).doc(id).set(data);
  }

  async createIfAbsent(collection: string, id: string, data: DocumentData): Promise<boolean> {
    try {
      await (await this.db()).collection(collection).doc(id).create(data);
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === ALREADY_EXISTS) return false;
      throw err;
    }
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
    if (this.client) await (await this.client).terminate();
  }
}

type FirebaseFirestoreQuery = import('@google-cloud/firestore').Query;
