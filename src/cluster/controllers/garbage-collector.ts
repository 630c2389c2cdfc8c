/**
 * Garbage collection by ownerReferences, as kube-controller-manager does it:
 * - background: a dependent whose owners are all gone is deleted; dangling references to some of
 *   several owners are removed;
 * - foreground: an owner marked `foregroundDeletion` has its dependents deleted first and goes only
 *   when no dependent with `blockOwnerDeletion` remains;
 * - orphan: an owner marked `orphan` has its references removed from every dependent, then goes.
 */
import { ApiError } from '../errors.js';
import type { KubeObject, OwnerReference, ResourceType } from '../objects.js';
import type { StoreEvent } from '../store/object-store.js';
import { systemScope } from './system-scope.js';
import { StoreController } from './store-controller.js';

const MANAGER = 'generic-garbage-collector';

interface Ref {
  resource: string;
  key: string;
}

export class GarbageCollector extends StoreController {
  /** uid → where the object lives. */
  private readonly byUid = new Map<string, Ref>();
  /** owner uid → dependents ("resource|key"). */
  private readonly dependents = new Map<string, Set<string>>();

  start(): void {
    for (const resource of this.store.resources()) {
      for (const s of this.store.list(resource)) this.index(resource, keyOf(s.obj), s.obj, undefined);
    }
    this.follow('*', (e) => this.onEvent(e));
    // Sweep once: dependents whose owners vanished while the server was down.
    for (const resource of this.store.resources()) {
      for (const s of this.store.list(resource)) this.consider(resource, keyOf(s.obj), s.obj);
    }
  }

  private onEvent(e: StoreEvent): void {
    const obj = e.object.obj;
    if (e.type === 'DELETED') {
      this.unindex(e.resource, e.key, obj);
      for (const dep of this.dependents.get(obj.metadata.uid!) ?? []) {
        const [resource, key] = splitRef(dep);
        this.enqueueDependent(resource, key);
      }
      this.recheckOwners(obj);
      return;
    }
    this.index(e.resource, e.key, obj, e.prev?.obj);
    this.consider(e.resource, e.key, obj);
  }

  private consider(resource: string, key: string, obj: KubeObject): void {
    const finalizers = Array.isArray(obj.metadata.finalizers) ? obj.metadata.finalizers : [];
    if (obj.metadata.deletionTimestamp && (finalizers.includes('foregroundDeletion') || finalizers.includes('orphan'))) {
      this.queue.add(`owner|${resource}|${key}`, () => this.processOwner(resource, key));
    }
    if ((ownerRefsOf(obj)).some((r) => !this.byUid.has(r.uid))) this.enqueueDependent(resource, key);
    this.recheckOwners(obj);
  }

  /** A dependent of an owner awaiting foreground deletion changed or went: the owner may now go. */
  private recheckOwners(obj: KubeObject): void {
    for (const r of ownerRefsOf(obj)) {
      const owner = this.byUid.get(r.uid);
      if (owner) {
        const o = this.store.get(owner.resource, owner.key)?.obj;
        if (o?.metadata.deletionTimestamp) this.queue.add(`owner|${owner.resource}|${owner.key}`, () => this.processOwner(owner.resource, owner.key));
      }
    }
  }

  private index(resource: string, key: string, obj: KubeObject, prev: KubeObject | undefined): void {
    if (prev) this.unlinkOwners(resource, key, prev);
    this.byUid.set(obj.metadata.uid!, { resource, key });
    for (const r of ownerRefsOf(obj)) {
      let set = this.dependents.get(r.uid);
      if (!set) this.dependents.set(r.uid, (set = new Set()));
      set.add(`${resource}|${key}`);
    }
  }

  private unindex(resource: string, key: string, obj: KubeObject): void {
    this.byUid.delete(obj.metadata.uid!);
    this.unlinkOwners(resource, key, obj);
  }

  private unlinkOwners(resource: string, key: string, obj: KubeObject): void {
    for (const r of ownerRefsOf(obj)) {
      const set = this.dependents.get(r.uid);
      set?.delete(`${resource}|${key}`);
      if (set && set.size === 0) this.dependents.delete(r.uid);
    }
  }

  private enqueueDependent(resource: string, key: string): void {
    this.queue.add(`dep|${resource}|${key}`, () => this.processDependent(resource, key));
  }

  private typeOf(resource: string): ResourceType | undefined {
    const slash = resource.indexOf('/');
    const group = slash < 0 ? '' : resource.slice(0, slash);
    const plural = slash < 0 ? resource : resource.slice(slash + 1);
    return this.registry.lookupAnyVersion(group, plural);
  }

  /** Deletes a dependent whose owners are all gone, or drops its references to the gone ones. */
  private async processDependent(resource: string, key: string): Promise<void> {
    const stored = this.store.get(resource, key);
    const type = this.typeOf(resource);
    if (!stored || !type) return;
    const refs = ownerRefsOf(stored.obj);
    const alive = refs.filter((r) => this.byUid.has(r.uid));
    if (alive.length === refs.length) return;
    const scope = systemScope(type, stored.obj.metadata.namespace, MANAGER);
    if (alive.length === 0) {
      if (stored.obj.metadata.deletionTimestamp) return;
      await ignoreNotFound(this.service.delete(scope, stored.obj.metadata.name!, { propagationPolicy: 'Background' }));
      return;
    }
    await ignoreNotFound(this.service.patch(scope, stored.obj.metadata.name!, 'merge', { metadata: { ownerReferences: alive, resourceVersion: stored.obj.metadata.resourceVersion } }));
  }

  private async processOwner(resource: string, key: string): Promise<void> {
    const stored = this.store.get(resource, key);
    const type = this.typeOf(resource);
    if (!stored || !type || !stored.obj.metadata.deletionTimestamp) return;
    const owner = stored.obj;
    const finalizers = owner.metadata.finalizers ?? [];
    const deps = [...(this.dependents.get(owner.metadata.uid!) ?? [])].map(splitRef);
    if (finalizers.includes('orphan')) {
      for (const [depResource, depKey] of deps) await this.dropOwnerRef(depResource, depKey, owner.metadata.uid!);
      await this.removeFinalizer(type, resource, key, 'orphan');
      return;
    }
    if (!finalizers.includes('foregroundDeletion')) return;
    let blocking = 0;
    for (const [depResource, depKey] of deps) {
      const dep = this.store.get(depResource, depKey);
      const depType = this.typeOf(depResource);
      if (!dep || !depType) continue;
      const ref = (ownerRefsOf(dep.obj)).find((r: OwnerReference) => r.uid === owner.metadata.uid);
      if (ref?.blockOwnerDeletion) blocking++;
      if (!dep.obj.metadata.deletionTimestamp) {
        await ignoreNotFound(this.service.delete(systemScope(depType, dep.obj.metadata.namespace, MANAGER), dep.obj.metadata.name!, { propagationPolicy: 'Foreground' }));
      }
    }
    // Dependents' deletions arrive as watch events, which re-queue this owner.
    if (blocking === 0) await this.removeFinalizer(type, resource, key, 'foregroundDeletion');
  }

  private async dropOwnerRef(resource: string, key: string, ownerUid: string): Promise<void> {
    const dep = this.store.get(resource, key);
    const type = this.typeOf(resource);
    if (!dep || !type) return;
    const refs = (ownerRefsOf(dep.obj)).filter((r) => r.uid !== ownerUid);
    await ignoreNotFound(this.service.patch(systemScope(type, dep.obj.metadata.namespace, MANAGER), dep.obj.metadata.name!, 'merge', { metadata: { ownerReferences: refs.length ? refs : null, resourceVersion: dep.obj.metadata.resourceVersion } }));
  }

  private async removeFinalizer(type: ResourceType, resource: string, key: string, finalizer: string): Promise<void> {
    const current = this.store.get(resource, key);
    if (!current) return;
    const finalizers = (current.obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    await ignoreNotFound(this.service.patch(systemScope(type, current.obj.metadata.namespace, MANAGER), current.obj.metadata.name!, 'merge', { metadata: { finalizers: finalizers.length ? finalizers : null, resourceVersion: current.obj.metadata.resourceVersion } }));
  }
}

/** Owner references as a list, whatever is stored (a malformed value must not stop the collector). */
function ownerRefsOf(obj: KubeObject): OwnerReference[] {
  const refs = obj.metadata.ownerReferences;
  return Array.isArray(refs) ? refs.filter((r): r is OwnerReference => typeof r === 'object' && r !== null && typeof r.uid === 'string') : [];
}

function keyOf(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name!;
}

function splitRef(ref: string): [string, string] {
  const i = ref.indexOf('|');
  return [ref.slice(0, i), ref.slice(i + 1)];
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
  }
}

