/**
 * Serves CustomResourceDefinitions: when a CRD is stored, its versions become routable resources
 * (well within a second — the registry is updated on the CRD's watch event) and its status gets
 * NamesAccepted/Established; when it is deleted, every instance is deleted before the CRD goes.
 */
import { ApiError } from '../errors.js';
import { groupResource, type KubeObject } from '../objects.js';
import { crdStatus, resourceTypesFromCrd } from '../crd/crd-resource-types.js';
import { canonicalJson } from '../api/type-strategy.js';
import { now } from '../api/resource-service.js';
import { systemScope } from './system-scope.js';
import { StoreController } from './store-controller.js';

const CRD_RESOURCE = 'apiextensions.k8s.io/customresourcedefinitions';
export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';
const MANAGER = 'kube-apiserver';

export class CrdController extends StoreController {

  /** Serves every stored CRD synchronously (so a restarted server routes custom resources at once), then follows changes. */
  start(): void {
    for (const { obj } of this.store.list(CRD_RESOURCE)) this.serve(obj);
    const backlog = this.follow(CRD_RESOURCE, (e) => {
      if (e.type === 'DELETED') this.registry.removeCrd(e.key);
      else this.serve(e.object.obj);
      this.queue.add(e.key, () => this.reconcile(e.key));
    });
    for (const e of backlog) this.queue.add(e.key, () => this.reconcile(e.key));
    for (const { obj } of this.store.list(CRD_RESOURCE)) this.queue.add(obj.metadata.name!, () => this.reconcile(obj.metadata.name!));
  }

  private serve(crd: KubeObject): void {
    try {
      this.registry.setCrd(crd.metadata.name!, resourceTypesFromCrd(crd));
    } catch {
      // An invalid CRD never passes validation on write; a stored one that fails to convert is not served.
      this.registry.removeCrd(crd.metadata.name!);
    }
  }

  private async reconcile(name: string): Promise<void> {
    const stored = this.store.get(CRD_RESOURCE, name);
    if (!stored) return;
    const crd = stored.obj;
    const type = this.registry.lookupAnyVersion('apiextensions.k8s.io', 'customresourcedefinitions');
    if (!type) return;
    const scope = systemScope(type, undefined, MANAGER);
    if (crd.metadata.deletionTimestamp) {
      await this.cleanup(crd);
      return;
    }
    if (!(crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) {
      const next = JSON.parse(stored.json) as KubeObject;
      next.metadata.finalizers = [...(next.metadata.finalizers ?? []), CRD_CLEANUP_FINALIZER];
      await this.service.update(scope, name, next);
      return; // the update's watch event queues the status step
    }
    const status = crdStatus(crd, now());
    if (canonicalJson(status) !== canonicalJson(crd.status ?? {})) {
      await this.service.update(scope, name, { ...JSON.parse(stored.json), status }, 'status');
    }
  }

  /** Deletes every instance of a CRD being deleted, then releases the CRD. */
  private async cleanup(crd: KubeObject): Promise<void> {
    const spec = crd.spec as { group: string; names: { plural: string } };
    const resource = groupResource({ group: spec.group, plural: spec.names.plural });
    const crType = resourceTypesFromCrd(crd)[0];
    const remaining = this.store.list(resource);
    for (const { obj } of remaining) {
      if (obj.metadata.deletionTimestamp || !crType) continue;
      try {
        await this.service.delete(systemScope(crType, obj.metadata.namespace, MANAGER), obj.metadata.name!, {});
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
    if (this.store.list(resource).length > 0) {
      this.queue.add(crd.metadata.name!, () => this.reconcile(crd.metadata.name!), 500);
      return;
    }
    const type = this.registry.lookupAnyVersion('apiextensions.k8s.io', 'customresourcedefinitions')!;
    const current = this.store.get(CRD_RESOURCE, crd.metadata.name!);
    if (!current) return;
    const next = JSON.parse(current.json) as KubeObject;
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
    await this.service.update(systemScope(type, undefined, MANAGER), crd.metadata.name!, next);
  }
}
