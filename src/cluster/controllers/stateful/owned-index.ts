/**
 * An index of objects by the uid of their controlling owner, fed from a store watch, so that a
 * controller finds the pods (or revisions, or Jobs) of one owner without scanning a namespace —
 * what kube-controller-manager gets from its informers' indexers.
 */
import type { KubeObject, OwnerReference } from '../../objects.js';
import type { StoreEvent } from '../../store/object-store.js';
import { controllerRefOf } from '../workload-kit.js';

export interface OwnerMatch {
  /** The owner's API group ('' for core), matched against the reference's apiVersion. */
  group: string;
  kind: string;
}

export interface IndexChange {
  /** The controller reference before the change (when it was of the owner kind). */
  before?: OwnerReference;
  /** The controller reference after the change (absent for a deletion). */
  after?: OwnerReference;
}

export class OwnedIndex {
  private readonly byOwner = new Map<string, Map<string, KubeObject>>();
  private readonly ownerByKey = new Map<string, string>();

  constructor(private readonly owner: OwnerMatch) {}

  /** The owner's controller reference on `obj`, when it is of the indexed owner kind. */
  ownerRefOf(obj: KubeObject): OwnerReference | undefined {
    const ref = controllerRefOf(obj);
    if (!ref || ref.kind !== this.owner.kind || typeof ref.apiVersion !== 'string') return undefined;
    const group = ref.apiVersion.includes('/') ? ref.apiVersion.slice(0, ref.apiVersion.indexOf('/')) : '';
    return group === this.owner.group ? ref : undefined;
  }

  /** Records a stored object (or its absence) under `key`. */
  put(key: string, obj: KubeObject | undefined): IndexChange {
    const beforeUid = this.ownerByKey.get(key);
    let before: OwnerReference | undefined;
    if (beforeUid !== undefined) {
      const set = this.byOwner.get(beforeUid);
      const old = set?.get(key);
      before = old ? this.ownerRefOf(old) : undefined;
      set?.delete(key);
      if (set && set.size === 0) this.byOwner.delete(beforeUid);
      this.ownerByKey.delete(key);
    }
    const after = obj ? this.ownerRefOf(obj) : undefined;
    if (obj && after) {
      let set = this.byOwner.get(after.uid);
      if (!set) this.byOwner.set(after.uid, (set = new Map()));
      set.set(key, obj);
      this.ownerByKey.set(key, after.uid);
    }
    return { ...(before ? { before } : {}), ...(after ? { after } : {}) };
  }

  /** Applies one watch event. */
  observe(e: StoreEvent): IndexChange {
    return this.put(e.key, e.type === 'DELETED' ? undefined : e.object.obj);
  }

  /** The objects controlled by `ownerUid`, by key (live view: do not mutate). */
  owned(ownerUid: string | undefined): ReadonlyMap<string, KubeObject> {
    return (ownerUid && this.byOwner.get(ownerUid)) || EMPTY;
  }
}

const EMPTY: ReadonlyMap<string, KubeObject> = new Map();

/** `ns/name` of an owner reference in the dependent's namespace. */
export function ownerKey(namespace: string | undefined, ref: OwnerReference): string {
  return namespace ? `${namespace}/${ref.name}` : ref.name;
}
