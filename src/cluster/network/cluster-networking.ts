/**
 * Services and networking assembled for cluster.ts: the ClusterIP/nodePort allocator (admission),
 * the endpoints, endpointslice, load-balancer and `kubernetes`-Service controllers, cluster DNS
 * (namespaced mode only) and the service proxy, all over one NodeNetwork. The pod network itself
 * is created and closed by the caller (the kubelet needs it before and after this).
 *
 * Order for cluster.ts: construct (registers the allocator) before any Service is written, put
 * `proxyHandler` into the API handler's subresources, `start()` once the API server listens (the
 * `kubernetes` Service needs its port), `close()` before closing the store and the network.
 */
import type { ResourceRegistry } from '../api/resource-registry.js';
import type { ResourceService } from '../api/resource-service.js';
import type { EventRecorder } from '../controllers/event-recorder.js';
import type { ObjectStore } from '../store/object-store.js';
import { ClusterDns, storeDnsSource } from './cluster-dns.js';
import { EndpointsController } from './endpoints-controller.js';
import { EndpointSliceController } from './endpointslice-controller.js';
import { KubernetesServiceController } from './kubernetes-service-controller.js';
import { LoadBalancerController } from './load-balancer-controller.js';
import type { NetworkLog, NodeNetwork } from './node-network.js';
import { ProxySubresourceHandler } from './proxy-subresource.js';
import { ServiceAddressAllocator, type PortRange } from './service-address-allocator.js';
import { ServiceProxy } from './service-proxy.js';

export interface ClusterNetworkingOptions {
  store: ObjectStore;
  registry: ResourceRegistry;
  service: ResourceService;
  network: NodeNetwork;
  log: NetworkLog;
  onError: (key: string, err: unknown) => void;
  recorder?: EventRecorder;
  nodePortRange?: PortRange;
  /** Default 53; tests may pick another. */
  dnsPort?: number;
  domain?: string;
}

export interface ApiServerAddress {
  /** An IP the proxy (host network namespace) reaches the API server on, e.g. 127.0.0.1. */
  host: string;
  port: number;
}

export class ClusterNetworking {
  readonly allocator: ServiceAddressAllocator;
  readonly proxyHandler: ProxySubresourceHandler;
  private readonly controllers: { stop(): void }[] = [];
  private dns: ClusterDns | undefined;
  private proxy: ServiceProxy | undefined;

  constructor(private readonly options: ClusterNetworkingOptions) {
    this.allocator = new ServiceAddressAllocator(options.store, { serviceCIDR: options.network.serviceCIDR, ...(options.nodePortRange ? { nodePortRange: options.nodePortRange } : {}) });
    options.service.admission.push(this.allocator);
    this.proxyHandler = new ProxySubresourceHandler(options.store);
  }

  async start(apiServer: ApiServerAddress): Promise<void> {
    const { store, registry, service, onError, recorder, network, log } = this.options;
    const endpoints = new EndpointsController(store, registry, service, onError, recorder);
    const slices = new EndpointSliceController(store, registry, service, onError, recorder);
    const lb = new LoadBalancerController(store, registry, service, onError, network.nodeIP);
    const kubernetes = new KubernetesServiceController(store, registry, service, onError, { apiServerHost: apiServer.host, apiServerPort: apiServer.port, clusterIP: this.allocator.firstAddress });
    for (const c of [kubernetes, endpoints, slices, lb]) {
      c.start();
      this.controllers.push(c);
    }
    if (network.dnsIP) {
      const dns = new ClusterDns(storeDnsSource(store), { ip: network.dnsIP, port: this.options.dnsPort ?? 53, log, ...(this.options.domain ? { domain: this.options.domain } : {}) });
      await dns.start();
      this.dns = dns;
    } else {
      log.info({}, 'cluster DNS is not served in host network mode (pods use the host resolver)');
    }
    this.proxy = new ServiceProxy(store, { network, log });
    this.proxy.start();
  }

  /** Resolves once the service proxy listens for every Service as stored now (tests, diagnostics). */
  async settled(): Promise<void> {
    await this.proxy?.settled();
  }

  async close(): Promise<void> {
    for (const c of this.controllers.splice(0)) c.stop();
    await this.proxy?.close();
    await this.dns?.close();
    const i = this.options.service.admission.indexOf(this.allocator);
    if (i >= 0) this.options.service.admission.splice(i, 1);
  }
}
