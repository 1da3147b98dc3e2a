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

/**
 * A place in a collection read in commit order: the commit time the store stamped on the document ("<seconds,
 * 12 digits>.<nanoseconds, 9 digits>", so text order is time order) and the document id, which breaks ties.
 */
export interface CommitPosition {
  committedAt: string;
  id: string;
}

/** A commit time in the port's text form, from whole seconds and nanoseconds. */
export function commitTimeText(seconds: number | bigint, nanoseconds: number | bigint): string {
  return `${String(seconds).padStart(12, '0')}.${String(nanoseconds).padStart(9, '0')}`;
}

/** Sorts and compares positions as (commit time, id): the time is fixed-width, so text order is time order. */
export function positionKey(p: CommitPosition): string {
  return `${p.committedAt}\u0000${p.id}`;
}

export interface DocumentStore {
  get<T extends DocumentData>(collection: string, id: string): Promise<T | undefined>;
  getMany<T extends DocumentData>(collection: string, ids: string[]): Promise<Map<string, T>>;
  set(collection: string, id: string, data: DocumentData): Promise<void>;
  /** Creates the document unless it exists; resolves false when it already did. */
  createIfAbsent(collection: string, id: string, data: DocumentData): Promise<boolean>;
  query<T extends DocumentData>(collection: string, filters: FieldFilter[]): Promise<StoredDocument<T>[]>;
  /**
   * Creates the document unless it exists, with `field` set by the store to the commit time; false when it
   * existed. Documents appended this way are read in commit order by readAfter.
   */
  appendIfAbsent(collection: string, id: string, data: DocumentData, field: string): Promise<boolean>;
  /**
   * Appended documents strictly after `after` in (commit time, id) order, at most `limit`, each with its
   * position (`field` holds the commit time as text), and only those committed at least `settleMs` before the
   * read's own time. Writers commit concurrently and a document may become visible after one committed later
   * (measured on the emulator); holding back the last `settleMs` means every document at or before the last
   * position returned is already visible, so a reader resuming from the last position it saw misses nothing and
   * sees nothing twice.
   */
  readAfter<T extends DocumentData>(
    collection: string,
    field: string,
    after: CommitPosition | null,
    limit: number,
    settleMs: number,
  ): Promise<(StoredDocument<T> & { position: CommitPosition })[]>;
  /**
   * Of the last `limit` appended documents, those committed at least `settleMs` before the read, oldest first, each
   * with its position: where a reader that wants "the latest, then everything after" starts (then readAfter from
   * the last; the unsettled newest are read then).
   */
  readLatest<T extends DocumentData>(
    collection: string,
    field: string,
    limit: number,
    settleMs: number,
  ): Promise<(StoredDocument<T> & { position: CommitPosition })[]>;
  /** Runs fn atomically; adapters retry it on contention, so fn must not have side effects outside tx. */
  runTransaction<R>(fn: (tx: DocumentTransaction) => Promise<R>): Promise<R>;
}
