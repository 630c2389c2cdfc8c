/**
 * The skeleton of the workload controllers (Deployment, ReplicaSet, Job, CronJob, StatefulSet,
 * DaemonSet): each syncs one owner object per queue key, records events about it, and routes the
 * changes of its dependents (pods, ReplicaSets, revisions, Jobs) back to their owner by uid.
 */
import type { ResourceRegistry } from '../api/resource-registry.js';
import type { ResourceService } from '../api/resource-service.js';
import type { KubeObject } from '../objects.js';
import type { ObjectStore, StoreEvent } from '../store/object-store.js';
import type { EventRecorder } from './event-recorder.js';
import type { IndexChange } from './owner-index.js';
import { StoreController } from './store-controller.js';
import { namespacedKey } from './workload-kit.js';

/** A dependent resource a controller indexes by owner, and what it does on each of its changes. */
export interface Dependents {
  resource: string;
  index: { put(key: string, obj: KubeObject | undefined): IndexChange; observe(e: StoreEvent): IndexChange };
  /** Default: index the change and sync the owners it concerns. */
  onEvent?: (e: StoreEvent) => void;
}

export abstract class WorkloadController<Options extends object = Record<string, never>> extends StoreController {
  /** Owner uid → store key: a dependent's controller reference leads here to the owner to sync. */
  protected readonly ownerKeys = new Map<string, string>();

  constructor(
    store: ObjectStore,
    registry: ResourceRegistry,
    service: ResourceService,
    onError: (key: string, err: unknown) => void,
    protected readonly recorder: EventRecorder,
    // Every option of every workload controller has a default, so none at all is valid.
    protected readonly options: Options = {} as Options,
  ) {
    super(store, registry, service, onError);
  }

  /** Brings the owner stored under `key` in line with its spec (nothing when it is gone). */
  protected abstract sync(key: string): Promise<void>;

  protected enqueue(key: string, delayMs = 0): void {
    this.queue.add(key, () => this.sync(key), delayMs);
  }

  protected enqueueOwner(uid: string): void {
    const key = this.ownerKeys.get(uid);
    if (key) this.enqueue(key);
  }

  /** A dependent that appeared, went, or changed controller: its old and new owner both look again. */
  protected enqueueOwners(change: IndexChange): void {
    for (const ref of [change.before, change.after]) if (ref) this.enqueueOwner(ref.uid);
  }

  protected enqueueAllOwners(): void {
    for (const key of this.ownerKeys.values()) this.enqueue(key);
  }

  /** The owner kind's own events: its key is kept while it exists, and a change syncs it. */
  protected onOwner(e: StoreEvent): void {
    const uid = e.object.obj.metadata.uid!;
    if (e.type === 'DELETED') {
      this.ownerKeys.delete(uid);
      this.forgetOwner(uid, e.key);
      return;
    }
    this.ownerKeys.set(uid, e.key);
    if (this.changeNeedsSync(e)) this.enqueue(e.key);
  }

  /** Whether an owner's (non-deletion) change needs a sync: by default, every one does. */
  protected changeNeedsSync(_e: StoreEvent): boolean {
    return true;
  }

  /** Drops what the controller keeps about a deleted owner besides its key. */
  protected forgetOwner(_uid: string, _key: string): void {}

  /**
   * Lists the stored owners (keeping their keys) and dependents (into their indexes), then follows
   * them all. Changes already in the store's history are replayed once everything is subscribed,
   * so nothing falls between the lists and the watches.
   */
  protected followOwnersAndDependents(owners: string, dependents: readonly Dependents[]): void {
    for (const { obj } of this.store.list(owners)) this.ownerKeys.set(obj.metadata.uid!, namespacedKey(obj));
    for (const { resource, index } of dependents) for (const { obj } of this.store.list(resource)) index.put(namespacedKey(obj), obj);
    const replays = [
      ...this.follow(owners, (e) => this.onOwner(e)).map((e) => () => this.onOwner(e)),
      ...dependents.flatMap(({ resource, index, onEvent = (e) => this.enqueueOwners(index.observe(e)) }) =>
        this.follow(resource, onEvent).map((e) => () => onEvent(e)),
      ),
    ];
    for (const replay of replays) replay();
  }
}
