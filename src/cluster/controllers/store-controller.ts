/**
 * The shared skeleton of the API server's own controllers: a de-duplicating work queue, the store
 * watches they follow, and a stop() that releases both.
 */
import type { ResourceRegistry } from '../api/resource-registry.js';
import type { ResourceService } from '../api/resource-service.js';
import type { ObjectStore, StoreEvent, StoreListener } from '../store/object-store.js';
import { WorkQueue } from './work-queue.js';

export abstract class StoreController {
  protected readonly queue: WorkQueue;
  private readonly unwatch: (() => void)[] = [];

  constructor(
    protected readonly store: ObjectStore,
    protected readonly registry: ResourceRegistry,
    protected readonly service: ResourceService,
    onError: (key: string, err: unknown) => void,
  ) {
    this.queue = new WorkQueue(onError);
  }

  abstract start(): void;

  stop(): void {
    for (const u of this.unwatch) u();
    this.queue.stop();
  }

  /** Follows committed changes of `resource` from the current version; returns changes already in history. */
  protected follow(resource: string | '*', listener: StoreListener): StoreEvent[] {
    const { backlog, stop } = this.store.watch(resource, this.store.resourceVersion, listener);
    this.unwatch.push(stop);
    return backlog;
  }
}
