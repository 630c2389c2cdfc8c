/**
 * The cloud provider's part for Services of type LoadBalancer, on a one-node cluster: the node
 * itself is the load balancer, so `status.loadBalancer.ingress` is the node's address (with
 * ipMode VIP, meaning traffic to it is handled like traffic to the ClusterIP). The service proxy
 * listens there. A Service that stops being a LoadBalancer has its ingress cleared.
 */
import type { ResourceRegistry } from '../api/resource-registry.js';
import type { ResourceService } from '../api/resource-service.js';
import { getString, isMap } from '../builtin/util.js';
import type { KubeObject } from '../objects.js';
import type { ObjectStore } from '../store/object-store.js';
import { StoreController } from '../controllers/store-controller.js';
import { systemScope } from '../controllers/system-scope.js';
import { canonical, ignoreNotFound } from './controller-util.js';

const MANAGER = 'service-controller';

export class LoadBalancerController extends StoreController {
  constructor(
    store: ObjectStore,
    registry: ResourceRegistry,
    service: ResourceService,
    onError: (key: string, err: unknown) => void,
    /** The address LoadBalancer Services get (the pod network's nodeIP). */
    private readonly nodeIP: string,
  ) {
    super(store, registry, service, onError);
  }

  start(): void {
    this.follow('services', (e) => {
      if (e.type !== 'DELETED') this.enqueue(e.key);
    });
    for (const { obj } of this.store.list('services')) this.enqueue(`${obj.metadata.namespace}/${obj.metadata.name}`);
  }

  private enqueue(key: string): void {
    this.queue.add(key, () => this.sync(key));
  }

  private async sync(key: string): Promise<void> {
    const stored = this.store.get('services', key);
    if (!stored) return;
    const svc = stored.obj;
    const isLB = isMap(svc.spec) && getString(svc.spec, 'type') === 'LoadBalancer';
    const status = isMap(svc.status) ? svc.status : {};
    const current = isMap(status.loadBalancer) ? status.loadBalancer : {};
    const desired = isLB ? { ingress: [{ ip: this.nodeIP, ipMode: 'VIP' }] } : {};
    if (canonical(current) === canonical(desired) || (!isLB && !current.ingress)) return;
    const type = this.registry.lookup('', 'v1', 'services')!;
    const next: KubeObject = { ...svc, status: { ...status, loadBalancer: desired } };
    await ignoreNotFound(this.service.update(systemScope(type, svc.metadata.namespace, MANAGER), svc.metadata.name!, next, 'status'));
  }
}
