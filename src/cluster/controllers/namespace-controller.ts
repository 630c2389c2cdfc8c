/**
 * Namespace lifecycle: a namespace being deleted (Terminating) has all its content deleted; once
 * nothing is left, its `kubernetes` finalizer is released through the `finalize` subresource and the
 * namespace goes.
 */
import { ApiError } from '../errors.js';
import { groupResource, type KubeObject, type ResourceType } from '../objects.js';
import { systemScope } from './system-scope.js';
import { StoreController } from './store-controller.js';

const MANAGER = 'namespace-controller';

export class NamespaceController extends StoreController {

  start(): void {
    this.follow('namespaces', (e) => {
      if (e.type !== 'DELETED' && e.object.obj.metadata.deletionTimestamp) this.enqueue(e.key);
    });
    for (const { obj } of this.store.list('namespaces')) if (obj.metadata.deletionTimestamp) this.enqueue(obj.metadata.name!);
  }

  private enqueue(name: string, delayMs = 0): void {
    this.queue.add(name, () => this.reconcile(name), delayMs);
  }

  /** One version of every namespaced group/resource (objects are stored once per group/resource). */
  private namespacedTypes(): ResourceType[] {
    const seen = new Map<string, ResourceType>();
    for (const t of this.registry.all()) {
      if (t.namespaced && t.verbs.includes('delete') && !seen.has(groupResource(t))) seen.set(groupResource(t), t);
    }
    return [...seen.values()];
  }

  private async reconcile(name: string): Promise<void> {
    const ns = this.store.get('namespaces', name);
    if (!ns?.obj.metadata.deletionTimestamp) return;
    const types = this.namespacedTypes();
    for (const type of types) {
      for (const { obj } of this.store.list(groupResource(type), name)) {
        if (obj.metadata.deletionTimestamp) continue;
        try {
          await this.service.delete(systemScope(type, name, MANAGER), obj.metadata.name!, { propagationPolicy: 'Background' });
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
        }
      }
    }
    const remaining = types.reduce((n, t) => n + this.store.list(groupResource(t), name).length, 0);
    if (remaining > 0) {
      // Objects with finalizers (or pods shutting down) take time: look again shortly.
      this.enqueue(name, 250);
      return;
    }
    const current = this.store.get('namespaces', name);
    if (!current) return;
    const next = JSON.parse(current.json) as KubeObject;
    const finalizers = ((next.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).filter((f) => f !== 'kubernetes');
    next.spec = { ...(next.spec as object), finalizers };
    const nsType = this.registry.lookup('', 'v1', 'namespaces')!;
    await this.service.update(systemScope(nsType, undefined, MANAGER), name, next, 'finalize');
  }
}
