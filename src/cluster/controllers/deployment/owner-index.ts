/**
 * An index of one resource's objects by the uid of their controller, kept from the store's watch,
 * so that a controller finds "its" objects without listing the whole resource on every event.
 * Objects without a controller are kept per namespace: they are the candidates for adoption.
 */
import type { KubeObject } from '../../objects.js';
import { controllerRefOf } from '../workload-kit.js';

interface Entry {
  namespace: string;
  owner: string | undefined;
}

const EMPTY: ReadonlySet<string> = new Set();

export class OwnerIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly byOwner = new Map<string, Set<string>>();
  private readonly orphansByNamespace = new Map<string, Set<string>>();

  /** Records the object's current controller (idempotent: re-indexing the same state is harmless). */
  upsert(key: string, obj: KubeObject): void {
    const owner = controllerRefOf(obj)?.uid;
    const namespace = obj.metadata.namespace ?? '';
    const prev = this.entries.get(key);
    if (prev && prev.owner === owner && prev.namespace === namespace) return;
    if (prev) this.unlink(key, prev);
    const entry = { namespace, owner };
    this.entries.set(key, entry);
    this.link(key, entry);
  }

  remove(key: string): void {
    const prev = this.entries.get(key);
    if (!prev) return;
    this.unlink(key, prev);
    this.entries.delete(key);
  }

  /** Keys of the objects controlled by `ownerUid`. */
  owned(ownerUid: string): ReadonlySet<string> {
    return this.byOwner.get(ownerUid) ?? EMPTY;
  }

  /** Keys of the objects without a controller in `namespace`. */
  orphans(namespace: string): ReadonlySet<string> {
    return this.orphansByNamespace.get(namespace) ?? EMPTY;
  }

  private link(key: string, e: Entry): void {
    const map = e.owner === undefined ? this.orphansByNamespace : this.byOwner;
    const bucket = e.owner === undefined ? e.namespace : e.owner;
    let set = map.get(bucket);
    if (!set) map.set(bucket, (set = new Set()));
    set.add(key);
  }

  private unlink(key: string, e: Entry): void {
    const map = e.owner === undefined ? this.orphansByNamespace : this.byOwner;
    const bucket = e.owner === undefined ? e.namespace : e.owner;
    const set = map.get(bucket);
    set?.delete(key);
    if (set?.size === 0) map.delete(bucket);
  }
}
