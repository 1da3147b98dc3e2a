/** A document database in the shape of Firestore: collections of JSON documents addressed by id. */
export type DocumentData = Record<string, unknown>;

export interface StoredDocument<T extends DocumentData = DocumentData> {
  id: string;
  data: T;
}

export interface FieldFilter {
  field: string;
  op: '==' | '<' | '<=' | '>' | '>=' | 'in';
  value: unknown;
}

/** Reads inside a transaction must come before writes (Firestore's rule, enforced by every adapter). */
export interface DocumentRef {
  collection: string;
  id: string;
}

export interface DocumentTransaction {
  get<T extends DocumentData>(collection: string, id: string): Promise<T | undefined>;
  /** Several documents in one read (one round trip where the store allows), in the order asked. */
  getAll(refs: readonly DocumentRef[]): Promise<(DocumentData | undefined)[]>;
  set(collection: string, id: string, data: DocumentData): void;
  /** Fails the whole transaction if the document exists. */
  create(collection: string, id: string, data: DocumentData): void;
  delete(collection: string, id: string): void;
}

export interface DocumentStore {
  get<T extends DocumentData>(collection: string, id: string): Promise<T | undefined>;
  getMany<T extends DocumentData>(collection: string, ids: string[]): Promise<Map<string, T>>;
  set(collection: string, id: string, data: DocumentData): Promise<void>;
  /** Creates the document unless it exists; resolves false when it already did. */
  createIfAbsent(collection: string, id: string, data: DocumentData): Promise<boolean>;
  query<T extends DocumentData>(collection: string, filters: FieldFilter[]): Promise<StoredDocument<T>[]>;
  /** Runs fn atomically; adapters retry it on contention, so fn must not have side effects outside tx. */
  runTransaction<R>(fn: (tx: DocumentTransaction) => Promise<R>): Promise<R>;
}
