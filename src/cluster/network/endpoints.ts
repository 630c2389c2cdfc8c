/**
 * Which pods back a Service, computed the way kube-controller-manager's endpoints and
 * endpointslice controllers do it: pure functions from a Service and the pods of its namespace to
 * the desired `subsets` of its Endpoints and the endpoints/ports of its EndpointSlices.
 */
import { mapSelectorMatches } from '../builtin/selectors.js';
import { getArray, getString, isMap, type JsonMap } from '../builtin/util.js';
import type { KubeObject } from '../objects.js';
import { isPodReady } from '../controllers/workload-kit.js';

export interface ObjectReference {
  kind: 'Pod';
  namespace: string;
  name: string;
  uid: string;
}

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef: ObjectReference;
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  nodeName?: string;
  targetRef: ObjectReference;
}

export interface SlicePort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/** Endpoints that share one port mapping (a named targetPort can resolve differently per pod). */
export interface SliceGroup {
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const SLICE_CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
/** kube-controller-manager's --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

function specOf(o: KubeObject): JsonMap {
  return isMap(o.spec) ? (o.spec as JsonMap) : {};
}

/** The Service's selector, or undefined when it has none (an empty selector counts as none, as it does once stored in Kubernetes). */
export function serviceSelector(svc: KubeObject): Record<string, string> | undefined {
  const sel = specOf(svc).selector;
  if (!isMap(sel) || Object.keys(sel).length === 0) return undefined;
  return Object.fromEntries(Object.entries(sel).map(([k, v]) => [k, String(v)]));
}

export function isHeadless(svc: KubeObject): boolean {
  return getString(specOf(svc), 'clusterIP') === 'None';
}

export function selectsPod(svc: KubeObject, pod: KubeObject): boolean {
  const sel = serviceSelector(svc);
  return sel !== undefined && svc.metadata.namespace === pod.metadata.namespace && mapSelectorMatches(sel, pod.metadata.labels);
}

export function podIP(pod: KubeObject): string {
  const status = isMap(pod.status) ? (pod.status as JsonMap) : {};
  const ip = getString(status, 'podIP');
  if (ip) return ip;
  const first = (getArray(status, 'podIPs') ?? [])[0];
  return getString(first, 'ip');
}

function isTerminal(pod: KubeObject): boolean {
  const phase = isMap(pod.status) ? getString(pod.status, 'phase') : '';
  return phase === 'Succeeded' || phase === 'Failed';
}

/** endpointutil.ShouldPodBeInEndpoints. */
export function shouldPodBeInEndpoints(pod: KubeObject, includeTerminating: boolean): boolean {
  if (isTerminal(pod)) return false;
  if (!podIP(pod)) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

/** podutil.FindPort: a numeric targetPort as is, a named one from the pod's container ports of the same protocol. */
export function findPort(pod: KubeObject, servicePort: JsonMap): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  if (typeof target !== 'string' || target === '') return undefined;
  const protocol = getString(servicePort, 'protocol') || 'TCP';
  const spec = specOf(pod);
  const sidecars = (getArray(spec, 'initContainers') ?? []).filter((c) => getString(c, 'restartPolicy') === 'Always');
  for (const c of [...(getArray(spec, 'containers') ?? []), ...sidecars]) {
    for (const p of getArray(c, 'ports') ?? []) {
      if (getString(p, 'name') === target && (getString(p, 'protocol') || 'TCP') === protocol && isMap(p) && typeof p.containerPort === 'number') return p.containerPort;
    }
  }
  return undefined;
}

/** The hostname a pod gets in its Service's DNS: only when its subdomain names this Service. */
function hostnameFor(svc: KubeObject, pod: KubeObject): string | undefined {
  const spec = specOf(pod);
  const hostname = getString(spec, 'hostname');
  if (hostname && getString(spec, 'subdomain') === svc.metadata.name && svc.metadata.namespace === pod.metadata.namespace) return hostname;
  return undefined;
}

function addressOf(svc: KubeObject, pod: KubeObject): EndpointAddress {
  const a: EndpointAddress = {
    ip: podIP(pod),
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' },
  };
  const hostname = hostnameFor(svc, pod);
  if (hostname) a.hostname = hostname;
  const nodeName = getString(specOf(pod), 'nodeName');
  if (nodeName) a.nodeName = nodeName;
  return a;
}

function servicePorts(svc: KubeObject): JsonMap[] {
  return (getArray(specOf(svc), 'ports') ?? []).filter(isMap);
}

function endpointPort(sp: JsonMap, port: number): EndpointPort {
  const p: EndpointPort = { port, protocol: getString(sp, 'protocol') || 'TCP' };
  const name = getString(sp, 'name');
  if (name) p.name = name;
  const app = getString(sp, 'appProtocol');
  if (app) p.appProtocol = app;
  return p;
}

function compareAddress(a: EndpointAddress, b: EndpointAddress): number {
  return compareIP(a.ip, b.ip) || (a.targetRef.uid < b.targetRef.uid ? -1 : a.targetRef.uid > b.targetRef.uid ? 1 : 0);
}

function compareIP(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

function portKey(p: EndpointPort): string {
  return `${p.name ?? ''}|${p.port}|${p.protocol}|${p.appProtocol ?? ''}`;
}

/**
 * The Endpoints `subsets` for a Service with a selector (endpoints controller syncService, then
 * RepackSubsets: addresses that offer the same ports share a subset).
 */
export function desiredSubsets(svc: KubeObject, pods: readonly KubeObject[]): EndpointSubset[] {
  const tolerateUnready = specOf(svc).publishNotReadyAddresses === true;
  const ports = servicePorts(svc);
  // port key → (address key → address and readiness)
  const byPort = new Map<string, { port: EndpointPort | undefined; addrs: Map<string, { addr: EndpointAddress; ready: boolean }> }>();
  const add = (port: EndpointPort | undefined, addr: EndpointAddress, ready: boolean): void => {
    const key = port ? portKey(port) : '';
    let entry = byPort.get(key);
    if (!entry) byPort.set(key, (entry = { port, addrs: new Map() }));
    entry.addrs.set(`${addr.ip}|${addr.targetRef.uid}`, { addr, ready });
  };
  for (const pod of pods) {
    if (!selectsPod(svc, pod) || !shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const addr = addressOf(svc, pod);
    const ready = tolerateUnready || isPodReady(pod);
    if (ports.length === 0) {
      if (isHeadless(svc)) add(undefined, addr, ready);
      continue;
    }
    for (const sp of ports) {
      const port = findPort(pod, sp);
      if (port !== undefined) add(endpointPort(sp, port), addr, ready);
    }
  }
  // Group ports by the exact set of addresses (and readiness) behind them.
  const groups = new Map<string, { addrs: { addr: EndpointAddress; ready: boolean }[]; ports: EndpointPort[] }>();
  for (const { port, addrs } of byPort.values()) {
    const list = [...addrs.values()].sort((a, b) => compareAddress(a.addr, b.addr));
    const key = list.map((a) => `${a.addr.ip}|${a.addr.targetRef.uid}|${a.ready}`).join(',');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { addrs: list, ports: [] }));
    if (port) g.ports.push(port);
  }
  const subsets: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const subset: EndpointSubset = {};
    const ready = g.addrs.filter((a) => a.ready).map((a) => a.addr);
    const notReady = g.addrs.filter((a) => !a.ready).map((a) => a.addr);
    if (ready.length) subset.addresses = ready;
    if (notReady.length) subset.notReadyAddresses = notReady;
    if (g.ports.length) subset.ports = g.ports.sort((a, b) => (portKey(a) < portKey(b) ? -1 : 1));
    subsets.push(subset);
  }
  return subsets.sort((a, b) => {
    const fa = (a.addresses ?? a.notReadyAddresses ?? [])[0];
    const fb = (b.addresses ?? b.notReadyAddresses ?? [])[0];
    return (fa && fb ? compareAddress(fa, fb) : 0) || JSON.stringify(a.ports ?? []).localeCompare(JSON.stringify(b.ports ?? []));
  });
}

/**
 * The EndpointSlice content for a Service with a selector, grouped by port mapping. Terminating
 * pods are included (with `terminating: true`), as the endpointslice controller does.
 */
export function desiredSliceGroups(svc: KubeObject, pods: readonly KubeObject[]): SliceGroup[] {
  const publishNotReady = specOf(svc).publishNotReadyAddresses === true;
  const ports = servicePorts(svc);
  const groups = new Map<string, SliceGroup>();
  for (const pod of pods) {
    if (!selectsPod(svc, pod) || !shouldPodBeInEndpoints(pod, true)) continue;
    const slicePorts: SlicePort[] = [];
    for (const sp of ports) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const p: SlicePort = { name: getString(sp, 'name'), port, protocol: getString(sp, 'protocol') || 'TCP' };
      const app = getString(sp, 'appProtocol');
      if (app) p.appProtocol = app;
      slicePorts.push(p);
    }
    // A pod offering none of several ports has nothing to put in a slice; a headless Service without ports takes it as is.
    if (ports.length > 0 && slicePorts.length === 0) continue;
    const serving = isPodReady(pod);
    const terminating = Boolean(pod.metadata.deletionTimestamp);
    const addr = addressOf(svc, pod);
    const ep: SliceEndpoint = {
      addresses: [addr.ip],
      conditions: { ready: publishNotReady || (serving && !terminating), serving, terminating },
      targetRef: addr.targetRef,
    };
    if (addr.hostname) ep.hostname = addr.hostname;
    if (addr.nodeName) ep.nodeName = addr.nodeName;
    const key = JSON.stringify(slicePorts);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports: slicePorts, endpoints: [] }));
    g.endpoints.push(ep);
  }
  for (const g of groups.values()) g.endpoints.sort((a, b) => compareIP(a.addresses[0], b.addresses[0]) || (a.targetRef.uid < b.targetRef.uid ? -1 : 1));
  return [...groups.values()];
}

/** Labels the Endpoints of a Service carry: the Service's own, plus the headless marker. */
export function endpointsLabels(svc: KubeObject): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return labels;
}

/** Labels of a managed EndpointSlice (setEndpointSliceLabels). */
export function sliceLabels(svc: KubeObject): Record<string, string> {
  const labels = endpointsLabels(svc);
  labels[SERVICE_NAME_LABEL] = svc.metadata.name ?? '';
  labels[MANAGED_BY_LABEL] = SLICE_CONTROLLER_NAME;
  return labels;
}

/** Keys (`ns/name`) of the Services whose endpoints a change of `pod` (from `prev`) can affect. */
export function servicesAffectedByPod(services: readonly KubeObject[], pod: KubeObject, prev: KubeObject | undefined): string[] {
  const out: string[] = [];
  for (const svc of services) {
    if (selectsPod(svc, pod) || (prev !== undefined && selectsPod(svc, prev))) out.push(`${svc.metadata.namespace}/${svc.metadata.name}`);
  }
  return out;
}
