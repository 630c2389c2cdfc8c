/**
 * The `kubernetes` Service in `default`, as kube-apiserver keeps it: ClusterIP the first address of
 * the Service range, port 443 (`https`) to the API server, with Endpoints and an EndpointSlice of
 * the same name pointing at the API server's address. Put back whenever someone changes or
 * deletes them (kube-apiserver reconciles them periodically; here every change is followed).
 */
import type { ResourceRegistry } from '../api/resource-registry.js';
import type { ResourceService } from '../api/resource-service.js';
import { ApiError } from '../errors.js';
import type { KubeObject } from '../objects.js';
import type { ObjectStore } from '../store/object-store.js';
import { StoreController } from '../controllers/store-controller.js';
import { systemScope } from '../controllers/system-scope.js';
import { canonical } from './controller-util.js';
import { SERVICE_NAME_LABEL } from './endpoints.js';

const MANAGER = 'kube-apiserver';
const NAMESPACE = 'default';
const NAME = 'kubernetes';
const KEY = `${NAMESPACE}/${NAME}`;

export interface KubernetesServiceOptions {
  /** The API server's address as the proxy should reach it (an IP), and its port. */
  apiServerHost: string;
  apiServerPort: number;
  /** The first address of the Service range (ServiceAddressAllocator.firstAddress). */
  clusterIP: string;
}

export class KubernetesServiceController extends StoreController {
  constructor(
    store: ObjectStore,
    registry: ResourceRegistry,
    service: ResourceService,
    onError: (key: string, err: unknown) => void,
    private readonly options: KubernetesServiceOptions,
  ) {
    super(store, registry, service, onError);
  }

  start(): void {
    const mine = (e: { key: string }): void => {
      if (e.key === KEY) this.enqueue();
    };
    this.follow('services', mine);
    this.follow('endpoints', mine);
    this.follow('discovery.k8s.io/endpointslices', mine);
    this.follow('namespaces', (e) => {
      if (e.key === NAMESPACE) this.enqueue();
    });
    this.enqueue();
  }

  private enqueue(): void {
    this.queue.add(KEY, () => this.sync());
  }

  private async sync(): Promise<void> {
    if (!this.store.get('namespaces', NAMESPACE)) return;
    await this.ensureService();
    await this.ensure('endpoints', this.registry.lookup('', 'v1', 'endpoints')!, this.endpoints(), (o) => canonical(o.subsets));
    await this.ensure('discovery.k8s.io/endpointslices', this.registry.lookup('discovery.k8s.io', 'v1', 'endpointslices')!, this.slice(), (o) =>
      canonical([o.endpoints, o.ports, o.metadata.labels]),
    );
  }

  private async ensureService(): Promise<void> {
    const type = this.registry.lookup('', 'v1', 'services')!;
    const scope = systemScope(type, NAMESPACE, MANAGER);
    const current = this.store.get('services', KEY)?.obj;
    const ports = [{ name: 'https', port: 443, protocol: 'TCP', targetPort: this.options.apiServerPort }];
    if (!current) {
      await this.service.create(scope, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: NAME, namespace: NAMESPACE, labels: { component: 'apiserver', provider: 'kubernetes' } },
        spec: { type: 'ClusterIP', clusterIP: this.options.clusterIP, clusterIPs: [this.options.clusterIP], ports, sessionAffinity: 'None' },
      });
      return;
    }
    const spec = (current.spec ?? {}) as { ports?: unknown };
    if (canonical(spec.ports) === canonical(ports)) return;
    // The API server's port changed (a restart on another port): point the Service at it again.
    await this.service.update(scope, NAME, { ...current, spec: { ...(current.spec as object), ports } });
  }

  private endpoints(): KubeObject {
    return {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: NAME, namespace: NAMESPACE, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: this.options.apiServerHost }], ports: [{ name: 'https', port: this.options.apiServerPort, protocol: 'TCP' }] }],
    };
  }

  private slice(): KubeObject {
    return {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: NAME, namespace: NAMESPACE, labels: { [SERVICE_NAME_LABEL]: NAME } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [this.options.apiServerHost], conditions: { ready: true } }],
      ports: [{ name: 'https', port: this.options.apiServerPort, protocol: 'TCP' }],
    };
  }

  private async ensure(resource: string, type: NonNullable<ReturnType<ResourceRegistry['lookup']>>, desired: KubeObject, content: (o: KubeObject) => string): Promise<void> {
    const scope = systemScope(type, NAMESPACE, MANAGER);
    const current = this.store.get(resource, KEY)?.obj;
    try {
      if (!current) await this.service.create(scope, desired);
      else if (content(current) !== content(desired)) await this.service.update(scope, NAME, { ...desired, metadata: { ...current.metadata, labels: desired.metadata.labels } });
    } catch (err) {
      // Created or changed meanwhile: the watch brings us back.
      if (!(err instanceof ApiError && (err.code === 409 || err.code === 404))) throw err;
    }
  }
}
