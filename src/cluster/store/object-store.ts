/**
 * The cluster's single source of truth: every object by group/resource and key, a global
 * resourceVersion counter, and a bounded history of changes that feeds watches, watch resumption
 * and consistent paged lists.
 *
 * Writes are synchronous against memory (so a read-modify-write in one synchronous stretch of code
 * is atomic — the API handlers rely on that for optimistic concurrency) and are acknowledged, and
 * published to watchers, only once the durable backend has committed them, in resourceVersion order.
 */
import { ApiError } from '../errors.js';
import type { KubeObject } from '../objects.js';
import { DurableBackend } from './durable-backend.js';

/** An object as stored: parsed (treat as immutable), its JSON text, and its resourceVersion. */
export interface StoredObject {
  readonly obj: KubeObject;
  readonly json: string;
  readonly rv: number;
}

export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly type: StoreEventType;
  readonly resource: string;
  readonly key: string;
  readonly rv: number;
  /** For DELETED, the object as it was last stored (with the deletion's resourceVersion). */
  readonly object: StoredObject;
  readonly prev?: StoredObject;
}

export type StoreListener = (event: StoreEvent) => void;

export interface ObjectStoreOptions {
  /** How many changes are kept for watch resumption and paged lists; older versions answer 410 Gone. */
  historySize?: number;
  /** Called when the disk refuses a write: memory and disk would diverge, so the process must stop. */
  onFatal?: (err: unknown) => void;
  /** Called when a watcher throws while being told of a change. */
  onListenerError?: (err: unknown, event: StoreEvent) => void;
}

class Table {
  readonly objects = new Map<string, StoredObject>();
  private sorted: string[] | null = null;

  keys(): string[] {
    if (!this.sorted) this.sorted = [...this.objects.keys()].sort(compareKeys);
    return this.sorted;
  }

  invalidate(): void {
    this.sorted = null;
  }
}

/** Keys sort like etcd paths: namespace, then name (plain code-unit order, as Go compares strings). */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export class ObjectStore {
  private readonly tables = new Map<string, Table>();
  private readonly listeners = new Map<string, Set<StoreListener>>();
  private readonly allListeners = new Set<StoreListener>();
  /** Changes in resourceVersion order: committed ones first, then those still being written. */
  private readonly events: StoreEvent[] = [];
  /** Number of leading entries of `events` that are durable and have been published. */
  private published = 0;
  private lastRV: number;
  private committedRV: number;
  /** Versions at or below this are no longer in history: watching or paging from them is 410 Gone. */
  private compactedRV: number;
  private readonly historySize: number;
  private lastWrite: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly backend: DurableBackend,
    loadedRV: number,
    private readonly options: ObjectStoreOptions,
  ) {
    this.lastRV = loadedRV;
    this.committedRV = loadedRV;
    this.compactedRV = loadedRV;
    this.historySize = options.historySize ?? 20_000;
  }

  static open(dataDir: string, options: ObjectStoreOptions = {}): ObjectStore {
    const backend = DurableBackend.open(dataDir);
    const loaded = backend.load();
    let maxRV = loaded.resourceVersion;
    const store = new ObjectStore(backend, 0, options);
    for (const { resource, key, json } of loaded.objects) {
      const obj = JSON.parse(json) as KubeObject;
      const rv = Number(obj.metadata?.resourceVersion ?? 0);
      if (rv > maxRV) maxRV = rv;
      store.table(resource).objects.set(key, { obj, json, rv });
    }
    store.lastRV = store.committedRV = store.compactedRV = maxRV;
    return store;
  }

  /** The newest resourceVersion whose write is durable (what lists and watches report). */
  get resourceVersion(): number {
    return this.committedRV;
  }

  /** The newest resourceVersion handed out, durable or not. */
  get latestResourceVersion(): number {
    return this.lastRV;
  }

  get oldestResumableResourceVersion(): number {
    return this.compactedRV;
  }

  resources(): string[] {
    return [...this.tables.keys()];
  }

  count(resource: string): number {
    return this.tables.get(resource)?.objects.size ?? 0;
  }

  get(resource: string, key: string): StoredObject | undefined {
    return this.tables.get(resource)?.objects.get(key);
  }

  /** Current objects of a resource in key order, optionally within one namespace. */
  list(resource: string, namespace?: string): StoredObject[] {
    const table = this.tables.get(resource);
    if (!table) return [];
    const keys = table.keys();
    const out: StoredObject[] = [];
    const [from, to] = namespace ? prefixRange(keys, `${namespace}/`) : [0, keys.length];
    for (let i = from; i < to; i++) out.push(table.objects.get(keys[i])!);
    return out;
  }

  /**
   * The objects of a resource as they were at `rv`, reconstructed by undoing later changes.
   * Throws 410 Expired when `rv` is older than the retained history.
   */
  listAt(resource: string, rv: number, namespace?: string): StoredObject[] {
    if (rv >= this.lastRV) return this.list(resource, namespace);
    // Nothing of this resource changed after rv: the current state is the snapshot.
    if (!this.changedSince(resource, rv)) return this.list(resource, namespace);
    if (rv < this.compactedRV) {
      throw new ApiError(410, 'Expired', `The resourceVersion for the provided list is too old.`);
    }
    const snapshot = new Map<string, StoredObject>();
    for (const s of this.list(resource, namespace)) snapshot.set(objectKey(s.obj.metadata.namespace, s.obj.metadata.name!), s);
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i];
      if (e.rv <= rv) break;
      if (e.resource !== resource) continue;
      if (namespace && !e.key.startsWith(`${namespace}/`)) continue;
      if (e.type === 'ADDED') snapshot.delete(e.key);
      else if (e.prev) snapshot.set(e.key, e.prev);
    }
    return [...snapshot.entries()].sort((a, b) => compareKeys(a[0], b[0])).map(([, v]) => v);
  }

  private changedSince(resource: string, rv: number): boolean {
    for (let i = this.events.length - 1; i >= 0 && this.events[i].rv > rv; i--) {
      if (this.events[i].resource === resource) return true;
    }
    return false;
  }

  /** Stores a new object. The caller has set every metadata field but resourceVersion. */
  create(resource: string, obj: KubeObject): { stored: StoredObject; durable: Promise<void> } {
    this.assertOpen();
    const key = objectKey(obj.metadata.namespace, obj.metadata.name!);
    const table = this.table(resource);
    if (table.objects.has(key)) throw new Error(`internal: create of existing key ${resource} ${key}`);
    const stored = this.stamp(obj);
    table.objects.set(key, stored);
    table.invalidate();
    return { stored, durable: this.persist({ type: 'ADDED', resource, key, rv: stored.rv, object: stored }) };
  }

  /** Replaces an existing object. Concurrency checks are the caller's, in the same synchronous stretch. */
  update(resource: string, obj: KubeObject): { stored: StoredObject; durable: Promise<void> } {
    this.assertOpen();
    const key = objectKey(obj.metadata.namespace, obj.metadata.name!);
    const table = this.table(resource);
    const prev = table.objects.get(key);
    if (!prev) throw new Error(`internal: update of missing key ${resource} ${key}`);
    const stored = this.stamp(obj);
    table.objects.set(key, stored);
    return { stored, durable: this.persist({ type: 'MODIFIED', resource, key, rv: stored.rv, object: stored, prev }) };
  }

  remove(resource: string, key: string): { stored: StoredObject; durable: Promise<void> } {
    this.assertOpen();
    const table = this.table(resource);
    const prev = table.objects.get(key);
    if (!prev) throw new Error(`internal: delete of missing key ${resource} ${key}`);
    table.objects.delete(key);
    table.invalidate();
    // The deleted object is reported with the deletion's resourceVersion, as Kubernetes does.
    const gone = this.stamp(JSON.parse(prev.json) as KubeObject);
    return { stored: gone, durable: this.persist({ type: 'DELETED', resource, key, rv: gone.rv, object: gone, prev }) };
  }

  /** Resolves when every write issued so far is durable and published. */
  async durable(): Promise<void> {
    await this.lastWrite;
  }

  /**
   * Runs `read` at a moment when no write is in flight, so it sees only durable, published state
   * (the check and the read are one synchronous stretch: no other continuation can write between
   * them). Under a continuous write storm it gives up after a few commit rounds rather than starve.
   */
  async readCommitted<T>(read: () => T): Promise<T> {
    for (let round = 0; round < 8 && this.published < this.events.length; round++) await this.lastWrite;
    return read();
  }

  /**
   * Subscribes to committed changes of one resource after `fromRV`. The backlog (changes already in
   * history) is returned, and later changes go to `listener`, with no gap or overlap between them.
   */
  watch(resource: string | '*', fromRV: number, listener: StoreListener): { backlog: StoreEvent[]; stop: () => void } {
    if (fromRV < this.compactedRV) {
      throw new ApiError(410, 'Expired', `too old resource version: ${fromRV} (${this.compactedRV})`);
    }
    const backlog: StoreEvent[] = [];
    for (let i = this.published - 1; i >= 0; i--) {
      const e = this.events[i];
      if (e.rv <= fromRV) break;
      if (resource === '*' || e.resource === resource) backlog.push(e);
    }
    backlog.reverse();
    let set: Set<StoreListener>;
    if (resource === '*') set = this.allListeners;
    else {
      set = this.listeners.get(resource) ?? new Set();
      this.listeners.set(resource, set);
    }
    set.add(listener);
    return { backlog, stop: () => set.delete(listener) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lastWrite.catch(() => undefined);
    await this.backend.close();
  }

  private table(resource: string): Table {
    let t = this.tables.get(resource);
    if (!t) {
      t = new Table();
      this.tables.set(resource, t);
    }
    return t;
  }

  private stamp(obj: KubeObject): StoredObject {
    const rv = ++this.lastRV;
    obj.metadata.resourceVersion = String(rv);
    return { obj, json: JSON.stringify(obj), rv };
  }

  private assertOpen(): void {
    if (this.closed) throw new ApiError(503, 'ServiceUnavailable', 'the API server is shutting down');
  }

  private persist(event: StoreEvent): Promise<void> {
    this.events.push(event);
    const write =
      event.type === 'DELETED'
        ? this.backend.remove(event.resource, event.key, event.rv)
        : this.backend.put(event.resource, event.key, event.object.json, event.rv);
    const durable = write.then(
      () => this.publishUpTo(event.rv),
      (err: unknown) => {
        this.options.onFatal?.(err);
        throw new ApiError(500, 'InternalError', `storage write failed: ${String(err)}`, undefined, { cause: err });
      },
    );
    this.lastWrite = durable.catch(() => undefined);
    return durable;
  }

  /** Publishes, in order, every change up to `rv` (commits resolve in order, so all of them are durable). */
  private publishUpTo(rv: number): void {
    while (this.published < this.events.length && this.events[this.published].rv <= rv) {
      const e = this.events[this.published++];
      this.committedRV = e.rv;
      for (const l of this.listeners.get(e.resource) ?? []) this.notify(l, e);
      for (const l of this.allListeners) this.notify(l, e);
    }
    this.compact();
  }

  /** One listener's failure must not keep the change from the others (or fail the write). */
  private notify(listener: StoreListener, e: StoreEvent): void {
    try {
      listener(e);
    } catch (err) {
      this.options.onListenerError?.(err, e);
    }
  }

  private compact(): void {
    const excess = this.published - this.historySize;
    if (excess < Math.max(1, this.historySize >> 3)) return;
    this.compactedRV = this.events[excess - 1].rv;
    this.events.splice(0, excess);
    this.published -= excess;
  }
}

/** The [from, to) index range of sorted keys starting with `prefix`. */
function prefixRange(keys: string[], prefix: string): [number, number] {
  const from = lowerBound(keys, prefix);
  // '\uffff' sorts after every character a Kubernetes name can contain.
  const to = lowerBound(keys, prefix + '\uffff');
  return [from, to];
}

function lowerBound(keys: string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
