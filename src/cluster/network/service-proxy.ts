/**
 * A userspace service proxy in the host network namespace, like kube-proxy's old userspace mode:
 * for every TCP Service port it listens where clients expect the Service —
 *
 *   clusterIP:port             (the ClusterIP is made a local address of the bridge first)
 *   127.0.0.1:nodePort and nodeIP:nodePort   for NodePort and LoadBalancer Services
 *   ingressIP:port             for LoadBalancer Services (status.loadBalancer.ingress)
 *
 * — and splices each accepted connection to a ready endpoint from the Service's Endpoints,
 * round-robin per connection (or sticky per client IP with sessionAffinity ClientIP), moving on to
 * the next endpoint when a connect fails. Listeners follow Service changes live; endpoints are read
 * at connect time, so readiness changes apply to the next connection. With no ready endpoint the
 * connection is reset, as kube-proxy's REJECT rule does.
 *
 * In host mode (no pod network namespaces) ClusterIPs cannot be bound: only NodePorts on 127.0.0.1.
 * UDP and SCTP ports are not proxied.
 */
import net from 'node:net';
import { getArray, getString, isMap, type JsonMap } from '../builtin/util.js';
import type { KubeObject } from '../objects.js';
import type { ObjectStore } from '../store/object-store.js';
import { isIPv4 } from './cidr.js';
import type { NetworkLog, NodeNetwork } from './node-network.js';

export interface ServiceProxyOptions {
  network: NodeNetwork;
  log: NetworkLog;
  /** How long one endpoint gets to accept before the next is tried (default 1000 ms). */
  connectTimeoutMs?: number;
  /** How soon a listener that could not be opened (port in use) is tried again (default 5000 ms). */
  retryMs?: number;
}

interface Route {
  /** `ns/name` of the Service. */
  service: string;
  portName: string;
}

interface Listener {
  address: string;
  port: number;
  route: Route;
  server: net.Server;
  sockets: Set<net.Socket>;
}

interface Endpoint {
  ip: string;
  port: number;
}

const RETRY_MS = 5_000;
const DEFAULT_AFFINITY_SECONDS = 10_800;

function specOf(o: KubeObject): JsonMap {
  return isMap(o.spec) ? (o.spec as JsonMap) : {};
}

/** Where each TCP port of a Service should be listened on (address:port → route). */
export function desiredListeners(svc: KubeObject, network: Pick<NodeNetwork, 'mode' | 'nodeIP'>): Map<string, Route> {
  const out = new Map<string, Route>();
  const spec = specOf(svc);
  const type = getString(spec, 'type');
  if (type === 'ExternalName') return out;
  const service = `${svc.metadata.namespace}/${svc.metadata.name}`;
  const clusterIP = getString(spec, 'clusterIP');
  const namespaced = network.mode === 'namespaced';
  const ingress = (getArray(isMap(svc.status) ? getMapOf(svc.status, 'loadBalancer') : undefined, 'ingress') ?? []).map((i) => getString(i, 'ip')).filter(isIPv4);
  for (const p of getArray(spec, 'ports') ?? []) {
    if (!isMap(p) || (getString(p, 'protocol') || 'TCP') !== 'TCP' || typeof p.port !== 'number') continue;
    const route: Route = { service, portName: getString(p, 'name') };
    if (namespaced && isIPv4(clusterIP)) out.set(`${clusterIP}:${p.port}`, route);
    const nodePort = typeof p.nodePort === 'number' ? p.nodePort : 0;
    if (nodePort > 0 && (type === 'NodePort' || type === 'LoadBalancer')) {
      out.set(`127.0.0.1:${nodePort}`, route);
      if (namespaced) out.set(`${network.nodeIP}:${nodePort}`, route);
    }
    if (namespaced && type === 'LoadBalancer') for (const ip of ingress) out.set(`${ip}:${p.port}`, route);
  }
  return out;
}

function getMapOf(o: JsonMap, key: string): JsonMap | undefined {
  return isMap(o[key]) ? (o[key] as JsonMap) : undefined;
}

/** Ready endpoints of one Service port, from its Endpoints (subsets whose port has the Service port's name). */
export function readyEndpoints(eps: KubeObject | undefined, portName: string): Endpoint[] {
  const out: Endpoint[] = [];
  for (const subset of getArray(eps, 'subsets') ?? []) {
    const port = (getArray(subset, 'ports') ?? []).find((p) => getString(p, 'name') === portName && (getString(p, 'protocol') || 'TCP') === 'TCP');
    if (!isMap(port) || typeof port.port !== 'number') continue;
    for (const a of getArray(subset, 'addresses') ?? []) {
      const ip = getString(a, 'ip');
      if (isIPv4(ip)) out.push({ ip, port: port.port });
    }
  }
  return out;
}

export class ServiceProxy {
  private readonly listeners = new Map<string, Listener>();
  /** ClusterIPs this proxy made local addresses. */
  private readonly addresses = new Set<string>();
  private readonly roundRobin = new Map<string, number>();
  private readonly affinity = new Map<string, { endpoint: string; expires: number }>();
  private unwatch: (() => void) | undefined;
  private syncing: Promise<void> | undefined;
  private dirty = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly warned = new Set<string>();

  constructor(
    private readonly store: ObjectStore,
    private readonly options: ServiceProxyOptions,
  ) {}

  start(): void {
    const { stop } = this.store.watch('services', this.store.resourceVersion, () => this.requestSync());
    this.unwatch = stop;
    if (this.options.network.mode === 'host') {
      this.options.log.warn({}, 'service proxy in host mode: ClusterIPs are not reachable; NodePort Services are served on 127.0.0.1:nodePort only');
    }
    this.requestSync();
  }

  /** Resolves once the listeners match the Services as stored now. */
  async settled(): Promise<void> {
    this.requestSync();
    while (this.syncing) await this.syncing;
  }

  /** address:port pairs being listened on (for diagnostics and tests). */
  listening(): string[] {
    return [...this.listeners.keys()];
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unwatch?.();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    while (this.syncing) await this.syncing;
    await Promise.all([...this.listeners.values()].map((l) => this.closeListener(l)));
    this.listeners.clear();
    await Promise.all([...this.addresses].map((ip) => this.options.network.removeLocalAddress(ip).catch(() => undefined)));
    this.addresses.clear();
  }

  private requestSync(): void {
    if (this.closed) return;
    this.dirty = true;
    this.syncing ??= this.syncLoop();
  }

  private async syncLoop(): Promise<void> {
    try {
      while (this.dirty && !this.closed) {
        this.dirty = false;
        await this.sync();
      }
    } catch (err) {
      this.options.log.warn({ err }, 'service proxy sync failed; retrying');
      this.scheduleRetry();
    } finally {
      this.syncing = undefined;
    }
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.requestSync();
    }, this.options.retryMs ?? RETRY_MS);
    this.retryTimer.unref();
  }

  private desired(): Map<string, Route> {
    const want = new Map<string, Route>();
    // Oldest Service first: on a clash (two LoadBalancers on one port) the first one keeps it.
    const services = this.store.list('services').map((s) => s.obj);
    services.sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
    for (const svc of services) {
      for (const [addr, route] of desiredListeners(svc, this.options.network)) {
        const other = want.get(addr);
        if (!other) want.set(addr, route);
        else if (other.service !== route.service) this.warnOnce(`clash|${addr}|${route.service}`, { address: addr, service: route.service, holder: other.service }, 'address already served for another Service; not proxied');
      }
    }
    return want;
  }

  private async sync(): Promise<void> {
    const want = this.desired();
    for (const [key, l] of [...this.listeners]) {
      const route = want.get(key);
      if (route) l.route = route;
      else {
        this.listeners.delete(key);
        await this.closeListener(l);
      }
    }
    const clusterIPs = new Set<string>();
    for (const key of want.keys()) {
      const ip = key.slice(0, key.lastIndexOf(':'));
      if (ip !== '127.0.0.1' && ip !== this.options.network.nodeIP) clusterIPs.add(ip);
    }
    for (const ip of clusterIPs) {
      if (this.addresses.has(ip)) continue;
      if (await this.options.network.addLocalAddress(ip)) this.addresses.add(ip);
    }
    let failed = false;
    for (const [key, route] of want) {
      if (this.listeners.has(key)) continue;
      const ip = key.slice(0, key.lastIndexOf(':'));
      if (clusterIPs.has(ip) && !this.addresses.has(ip)) continue;
      try {
        this.listeners.set(key, await this.listen(ip, Number(key.slice(key.lastIndexOf(':') + 1)), route));
      } catch (err) {
        failed = true;
        this.warnOnce(`listen|${key}`, { err, address: key, service: route.service }, 'service proxy cannot listen; will retry');
      }
    }
    for (const ip of [...this.addresses]) {
      if (clusterIPs.has(ip)) continue;
      this.addresses.delete(ip);
      await this.options.network.removeLocalAddress(ip);
    }
    if (failed) this.scheduleRetry();
  }

  private warnOnce(key: string, obj: object, msg: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    if (this.warned.size > 10_000) this.warned.clear();
    this.options.log.warn(obj, msg);
  }

  private listen(address: string, port: number, route: Route): Promise<Listener> {
    const sockets = new Set<net.Socket>();
    const listener: Listener = { address, port, route, server: net.createServer({ allowHalfOpen: true, pauseOnConnect: true }), sockets };
    listener.server.on('connection', (client) => this.onConnection(listener, client));
    return new Promise((resolve, reject) => {
      listener.server.once('error', reject);
      listener.server.listen({ host: address, port }, () => {
        listener.server.off('error', reject);
        listener.server.on('error', (err) => this.options.log.warn({ err, address: `${address}:${port}` }, 'service proxy listener failed'));
        resolve(listener);
      });
    });
  }

  private closeListener(l: Listener): Promise<void> {
    for (const s of l.sockets) s.destroy();
    return new Promise((resolve) => l.server.close(() => resolve()));
  }

  // ------------------------------------------------------------------ connections

  private onConnection(listener: Listener, client: net.Socket): void {
    listener.sockets.add(client);
    client.on('close', () => listener.sockets.delete(client));
    client.on('error', () => client.destroy());
    const { route } = listener;
    const endpoints = readyEndpoints(this.store.get('endpoints', route.service)?.obj, route.portName);
    if (endpoints.length === 0) {
      client.resetAndDestroy();
      return;
    }
    const order = this.order(route, endpoints, client.remoteAddress ?? '');
    this.connectTo(listener, client, order, 0);
  }

  /** Endpoints in the order to try: sticky one first (ClientIP affinity), else round-robin. */
  private order(route: Route, endpoints: Endpoint[], clientIP: string): Endpoint[] {
    const rrKey = `${route.service}|${route.portName}`;
    const start = (this.roundRobin.get(rrKey) ?? 0) % endpoints.length;
    this.roundRobin.set(rrKey, start + 1);
    const rotated = [...endpoints.slice(start), ...endpoints.slice(0, start)];
    const timeout = this.affinitySeconds(route.service);
    if (timeout === undefined) return rotated;
    const key = `${rrKey}|${clientIP}`;
    const sticky = this.affinity.get(key);
    const now = Date.now();
    const chosen = sticky && sticky.expires > now ? rotated.find((e) => `${e.ip}:${e.port}` === sticky.endpoint) : undefined;
    const ordered = chosen ? [chosen, ...rotated.filter((e) => e !== chosen)] : rotated;
    this.affinity.set(key, { endpoint: `${ordered[0].ip}:${ordered[0].port}`, expires: now + timeout * 1000 });
    if (this.affinity.size > 100_000) for (const [k, v] of this.affinity) if (v.expires <= now) this.affinity.delete(k);
    return ordered;
  }

  private affinitySeconds(service: string): number | undefined {
    const svc = this.store.get('services', service)?.obj;
    if (!svc) return undefined;
    const spec = specOf(svc);
    if (getString(spec, 'sessionAffinity') !== 'ClientIP') return undefined;
    const t = getMapOf(getMapOf(spec, 'sessionAffinityConfig') ?? {}, 'clientIP')?.timeoutSeconds;
    return typeof t === 'number' && t > 0 ? t : DEFAULT_AFFINITY_SECONDS;
  }

  private connectTo(listener: Listener, client: net.Socket, order: Endpoint[], i: number): void {
    if (client.destroyed) return;
    if (i >= order.length) {
      client.resetAndDestroy();
      return;
    }
    const ep = order[i];
    const upstream = net.connect({ host: ep.ip, port: ep.port, allowHalfOpen: true });
    const timer = setTimeout(() => upstream.destroy(new Error('connect timeout')), this.options.connectTimeoutMs ?? 1_000);
    const failed = (): void => {
      clearTimeout(timer);
      upstream.destroy();
      this.connectTo(listener, client, order, i + 1);
    };
    upstream.once('error', failed);
    upstream.once('connect', () => {
      clearTimeout(timer);
      upstream.off('error', failed);
      listener.sockets.add(upstream);
      // A clean end travels through the pipes (each side finishes sending first); an abort on either side aborts both.
      upstream.on('close', (hadError) => {
        listener.sockets.delete(upstream);
        if (hadError) client.destroy();
      });
      upstream.on('error', () => upstream.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }
}
