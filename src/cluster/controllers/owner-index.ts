/**
 * An index of one resource's objects by the uid of their controller, kept from the store's watch,
 * so that a controller finds "its" pods (or ReplicaSets, revisions, Jobs) without listing the whole
 * resource on every event — what kube-controller-manager gets from its informers' indexers.
 * Objects without any controller are kept per namespace: they are the candidates for adoption.
 */
import type { KubeObject, OwnerReference } from '../objects.js';
import type { StoreEvent } from '../store/object-store.js';
import { controllerRefOf } from './workload-kit.js';

export interface OwnerKind {
  /** The owner's API group ('' for core), matched against the reference's apiVersion. */
  group: string;
  kind: string;
}

/** How one object's controller changed: who must look again. */
export interface IndexChange {
  /** The controller reference before the change (when it was of the owner kind). */
  before?: OwnerReference;
  /** The controller reference after the change (absent for a deletion). */
  after?: OwnerReference;
}

/** Where an object is filed: under its controller's uid, or (an orphan) under its namespace. */
interface Placement {
  ref: OwnerReference | undefined;
  bucket: string;
}

const NONE: ReadonlyMap<string, KubeObject> = new Map();

export class OwnerIndex {
  private readonly placements = new Map<string, Placement>();
  private readonly byOwner = new Map<string, Map<string, KubeObject>>();
  private readonly orphansByNamespace = new Map<string, Map<string, KubeObject>>();

  /**
   * With `ownerKind`, only controllers of that kind count: an object another kind controls is
   * neither owned nor an orphan here. Without it, every controller does.
   */
  constructor(private readonly ownerKind?: OwnerKind) {}

  /** The controller reference on `obj`, when it is of the indexed owner kind. */
  ownerRefOf(obj: KubeObject): OwnerReference | undefined {
    const ref = controllerRefOf(obj);
    if (!ref || !this.ownerKind) return ref;
    if (ref.kind !== this.ownerKind.kind || typeof ref.apiVersion !== 'string') return undefined;
    const group = ref.apiVersion.includes('/') ? ref.apiVersion.slice(0, ref.apiVersion.indexOf('/')) : '';
    return group === this.ownerKind.group ? ref : undefined;
  }

  /** Records a stored object (or its absence) under `key`. */
  put(key: string, obj: KubeObject | undefined): IndexChange {
    const prev = this.placements.get(key);
    const ref = obj ? this.ownerRefOf(obj) : undefined;
    const next: Placement | undefined = !obj ? undefined : ref ? { ref, bucket: ref.uid } : controllerRefOf(obj) ? undefined : { ref: undefined, bucket: obj.metadata.namespace ?? '' };
    if (prev && next && prev.bucket === next.bucket && !prev.ref === !next.ref) {
      // Same place: the newer object keeps its position among its owner's.
      this.bucketsOf(next).get(next.bucket)!.set(key, obj!);
      this.placements.set(key, next);
    } else {
      if (prev) this.unfile(key, prev);
      if (next) this.file(key, next, obj!);
    }
    return { ...(prev?.ref ? { before: prev.ref } : {}), ...(ref ? { after: ref } : {}) };
  }

  /** Applies one watch event. */
  observe(e: StoreEvent): IndexChange {
    return this.put(e.key, e.type === 'DELETED' ? undefined : e.object.obj);
  }

  /** The objects controlled by `ownerUid`, by key (a live view: do not mutate). */
  owned(ownerUid: string | undefined): ReadonlyMap<string, KubeObject> {
    return (ownerUid && this.byOwner.get(ownerUid)) || NONE;
  }

  /** The objects of `namespace` without a controller, by key (a live view: do not mutate). */
  orphans(namespace: string): ReadonlyMap<string, KubeObject> {
    return this.orphansByNamespace.get(namespace) ?? NONE;
  }

  /** Keys of what `owner` may claim: what it controls, then its namespace's orphans. */
  claimableKeys(owner: KubeObject): string[] {
    return [...this.owned(owner.metadata.uid).keys(), ...this.orphans(owner.metadata.namespace ?? '').keys()];
  }

  private bucketsOf(p: Placement): Map<string, Map<string, KubeObject>> {
    return p.ref ? this.byOwner : this.orphansByNamespace;
  }

  private file(key: string, p: Placement, obj: KubeObject): void {
    const buckets = this.bucketsOf(p);
    let bucket = buckets.get(p.bucket);
    if (!bucket) buckets.set(p.bucket, (bucket = new Map()));
    bucket.set(key, obj);
    this.placements.set(key, p);
  }

  private unfile(key: string, p: Placement): void {
    const buckets = this.bucketsOf(p);
    const bucket = buckets.get(p.bucket);
    bucket?.delete(key);
    if (bucket?.size === 0) buckets.delete(p.bucket);
    this.placements.delete(key);
  }
}
