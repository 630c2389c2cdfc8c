/**
 * The endpoints controller of kube-controller-manager: every Service with a selector gets an
 * Endpoints object of the same name listing the pods behind it (ready ones in `addresses`, others
 * in `notReadyAddresses`), kept current as pods come, go and change readiness. Endpoints whose
 * Service is gone are deleted. A Service without a selector is left alone: its Endpoints are
 * the user's. Writes happen only when the content changes.
 */
import type { ResourceRegistry } from '../api/resource-registry.js';
import type { ResourceService } from '../api/resource-service.js';
import { ApiError } from '../errors.js';
import type { KubeObject } from '../objects.js';
import type { ObjectStore } from '../store/object-store.js';
import type { EventRecorder } from '../controllers/event-recorder.js';
import { StoreController } from '../controllers/store-controller.js';
import { systemScope } from '../controllers/system-scope.js';
import { canonical, ignoreNotFound } from './controller-util.js';
import { desiredSubsets, endpointsLabels, serviceSelector, servicesAffectedByPod } from './endpoints.js';

const MANAGER = 'endpoint-controller';

export class EndpointsController extends StoreController {
  constructor(
    store: ObjectStore,
    registry: ResourceRegistry,
    service: ResourceService,
    onError: (key: string, err: unknown) => void,
    private readonly recorder?: EventRecorder,
  ) {
    super(store, registry, service, onError);
  }

  start(): void {
    this.follow('services', (e) => this.enqueue(e.key));
    this.follow('pods', (e) => {
      const services = this.store.list('services', e.object.obj.metadata.namespace).map((s) => s.obj);
      for (const key of servicesAffectedByPod(services, e.object.obj, e.prev?.obj)) this.enqueue(key);
    });
    // Endpoints deleted by someone else come back.
    this.follow('endpoints', (e) => {
      if (e.type === 'DELETED') this.enqueue(e.key);
    });
    for (const { obj } of this.store.list('services')) this.enqueue(`${obj.metadata.namespace}/${obj.metadata.name}`);
    // Like checkLeftoverEndpoints: Endpoints whose Service went while the controller was down go too.
    for (const { obj } of this.store.list('endpoints')) this.enqueue(`${obj.metadata.namespace}/${obj.metadata.name}`);
  }

  private enqueue(key: string): void {
    this.queue.add(key, () => this.sync(key));
  }

  private async sync(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    const type = this.registry.lookup('', 'v1', 'endpoints')!;
    const scope = systemScope(type, namespace, MANAGER);
    const svc = this.store.get('services', key)?.obj;
    const current = this.store.get('endpoints', key)?.obj;
    if (!svc) {
      if (current) await ignoreNotFound(this.service.delete(scope, name));
      return;
    }
    if (!serviceSelector(svc)) return;
    const pods = this.store.list('pods', namespace).map((p) => p.obj);
    const subsets = desiredSubsets(svc, pods);
    const labels = endpointsLabels(svc);
    if (current && same(current.subsets ?? [], subsets) && same(current.metadata.labels ?? {}, labels)) return;
    const desired: KubeObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { ...(current?.metadata ?? {}), name, namespace, labels },
      subsets,
    };
    if (Object.keys(labels).length === 0) delete desired.metadata.labels;
    try {
      if (current) await this.service.update(scope, name, desired);
      else {
        delete desired.metadata.resourceVersion;
        await this.service.create(scope, desired);
      }
    } catch (err) {
      // 409/404: the queue retries against what is stored then.
      if (!(err instanceof ApiError && (err.code === 409 || err.code === 404))) {
        this.recorder?.record(svc, 'Warning', current ? 'FailedToUpdateEndpoint' : 'FailedToCreateEndpoint', `Failed to ${current ? 'update' : 'create'} endpoint ${key}: ${err instanceof Error ? err.message : String(err)}`);
      }
      throw err;
    }
  }
}

function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}
