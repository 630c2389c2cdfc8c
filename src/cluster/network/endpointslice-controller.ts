/**
 * The endpointslice controller of kube-controller-manager: every Service with a selector gets
 * EndpointSlices (`<service>-<random>`, labelled `kubernetes.io/service-name` and managed-by
 * `endpointslice-controller.k8s.io`, owned by the Service so the garbage collector removes them
 * with it) holding its pods, at most 100 per slice, one set of slices per port mapping. A Service
 * whose pods offer nothing still gets one empty slice, as in Kubernetes. Slices are written only
 * when their content changes.
 */
import type { ResourceRegistry } from '../api/resource-registry.js';
import type { ResourceService } from '../api/resource-service.js';
import { ApiError } from '../errors.js';
import type { KubeObject } from '../objects.js';
import type { ObjectStore } from '../store/object-store.js';
import type { EventRecorder } from '../controllers/event-recorder.js';
import { StoreController } from '../controllers/store-controller.js';
import { systemScope } from '../controllers/system-scope.js';
import { newControllerRef } from '../controllers/workload-kit.js';
import { canonical, ignoreNotFound } from './controller-util.js';
import {
  desiredSliceGroups,
  MANAGED_BY_LABEL,
  MAX_ENDPOINTS_PER_SLICE,
  SERVICE_NAME_LABEL,
  serviceSelector,
  servicesAffectedByPod,
  sliceLabels,
  SLICE_CONTROLLER_NAME,
  type SliceEndpoint,
  type SlicePort,
} from './endpoints.js';

const MANAGER = 'endpointslice-controller';
const RESOURCE = 'discovery.k8s.io/endpointslices';

interface DesiredSlice {
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

export class EndpointSliceController extends StoreController {
  constructor(
    store: ObjectStore,
    registry: ResourceRegistry,
    service: ResourceService,
    onError: (key: string, err: unknown) => void,
    private readonly recorder?: EventRecorder,
    private readonly maxEndpointsPerSlice = MAX_ENDPOINTS_PER_SLICE,
  ) {
    super(store, registry, service, onError);
  }

  start(): void {
    this.follow('services', (e) => this.enqueue(e.key));
    this.follow('pods', (e) => {
      const services = this.store.list('services', e.object.obj.metadata.namespace).map((s) => s.obj);
      for (const key of servicesAffectedByPod(services, e.object.obj, e.prev?.obj)) this.enqueue(key);
    });
    // A managed slice changed or deleted by someone else is put back.
    this.follow(RESOURCE, (e) => {
      const labels = e.object.obj.metadata.labels ?? {};
      if (labels[MANAGED_BY_LABEL] === SLICE_CONTROLLER_NAME && labels[SERVICE_NAME_LABEL]) this.enqueue(`${e.object.obj.metadata.namespace}/${labels[SERVICE_NAME_LABEL]}`);
    });
    for (const { obj } of this.store.list('services')) this.enqueue(`${obj.metadata.namespace}/${obj.metadata.name}`);
  }

  private enqueue(key: string): void {
    this.queue.add(key, () => this.sync(key));
  }

  private managedSlices(namespace: string, serviceName: string): KubeObject[] {
    return this.store
      .list(RESOURCE, namespace)
      .map((s) => s.obj)
      .filter((o) => o.metadata.labels?.[SERVICE_NAME_LABEL] === serviceName && o.metadata.labels?.[MANAGED_BY_LABEL] === SLICE_CONTROLLER_NAME);
  }

  private async sync(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    const type = this.registry.lookup('discovery.k8s.io', 'v1', 'endpointslices')!;
    const scope = systemScope(type, namespace, MANAGER);
    const svc = this.store.get('services', key)?.obj;
    const existing = this.managedSlices(namespace, name);
    // No Service (the garbage collector follows the owner reference), or no selector: no managed slices.
    if (!svc || svc.metadata.deletionTimestamp || !serviceSelector(svc)) {
      if (svc) for (const s of existing) await ignoreNotFound(this.service.delete(scope, s.metadata.name!));
      return;
    }
    const desired = this.desiredSlices(svc);
    const labels = sliceLabels(svc);
    const owner = newControllerRef(svc);
    // Slices of an earlier Service of the same name are not ours to reuse.
    const reusable = existing.filter((s) => (s.metadata.ownerReferences ?? []).some((r) => r.uid === svc.metadata.uid));
    for (const s of existing) if (!reusable.includes(s)) await ignoreNotFound(this.service.delete(scope, s.metadata.name!));
    const unused = [...reusable];
    try {
      for (const d of desired) {
        // Prefer a slice with the same ports, so an update touches endpoints only.
        let i = unused.findIndex((s) => canonical(s.ports ?? []) === canonical(d.ports));
        if (i < 0) i = unused.length > 0 ? 0 : -1;
        const current = i >= 0 ? unused.splice(i, 1)[0] : undefined;
        const body: KubeObject = {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: current ? { ...current.metadata, labels, ownerReferences: [owner] } : { generateName: `${name}-`, namespace, labels, ownerReferences: [owner] },
          addressType: 'IPv4',
          endpoints: d.endpoints,
          ports: d.ports,
        };
        if (!current) await this.service.create(scope, body);
        else if (!sameSlice(current, body)) await this.service.update(scope, current.metadata.name!, body);
      }
      for (const s of unused) await ignoreNotFound(this.service.delete(scope, s.metadata.name!));
    } catch (err) {
      if (!(err instanceof ApiError && (err.code === 409 || err.code === 404))) {
        this.recorder?.record(svc, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${key}: ${err instanceof Error ? err.message : String(err)}`);
      }
      throw err;
    }
  }

  /** Groups by port mapping, each cut into slices of at most maxEndpointsPerSlice; at least one (empty) slice. */
  private desiredSlices(svc: KubeObject): DesiredSlice[] {
    const pods = this.store.list('pods', svc.metadata.namespace).map((p) => p.obj);
    const out: DesiredSlice[] = [];
    for (const g of desiredSliceGroups(svc, pods)) {
      for (let i = 0; i < g.endpoints.length; i += this.maxEndpointsPerSlice) out.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + this.maxEndpointsPerSlice) });
    }
    if (out.length === 0) out.push({ ports: [], endpoints: [] });
    return out;
  }
}

function sameSlice(current: KubeObject, desired: KubeObject): boolean {
  return (
    canonical(current.endpoints ?? []) === canonical(desired.endpoints) &&
    canonical(current.ports ?? []) === canonical(desired.ports) &&
    canonical(current.metadata.labels ?? {}) === canonical(desired.metadata.labels ?? {}) &&
    canonical(current.metadata.ownerReferences ?? []) === canonical(desired.metadata.ownerReferences ?? [])
  );
}
