/**
 * What kube-apiserver's Service REST storage does on create and update, as an admission step
 * (after defaulting, before validation): allocate `spec.clusterIP`/`clusterIPs` from the Service
 * range and `nodePort`s (and `healthCheckNodePort`) from the node-port range, keep allocated values
 * when an update omits them (kubectl apply, a PUT by an old client), release them when the type no
 * longer needs them, and fill `ipFamilies`/`ipFamilyPolicy` for this single-stack IPv4 cluster.
 *
 * Nothing is reserved on the side: what is allocated is recomputed from the stored Services on
 * every call, so a failed or dry-run write can never leak an address. The store applies a write in
 * the same synchronous stretch as this check, so two creates cannot both take one address.
 */
import type { AdmissionPlugin } from '../api/resource-service.js';
import { getArray, getString, goStringSlice, invalidRendered, isMap, type JsonMap } from '../builtin/util.js';
import { ApiError, fieldError, invalid } from '../errors.js';
import type { FieldCause, KubeObject, ResourceType } from '../objects.js';
import { canonical } from './controller-util.js';
import { cidrContains, formatCidr, formatIPv4, looksLikeIPv6, nthAddress, parseCidr, parseIPv4, usableOffsets, type Cidr } from './cidr.js';

export interface PortRange {
  min: number;
  max: number;
}

export interface ServiceAddressAllocatorOptions {
  /** The Service range, e.g. the pod network's serviceCIDR. */
  serviceCIDR: string;
  /** Default 30000-32767, like kube-apiserver's --service-node-port-range. */
  nodePortRange?: PortRange;
  /** Injectable for tests. */
  random?: () => number;
}

/** Where the allocator sees the Services that hold addresses (an ObjectStore satisfies it). */
export interface ServiceSource {
  list(resource: string): readonly { obj: KubeObject }[];
}

const DEFAULT_NODE_PORTS: PortRange = { min: 30000, max: 32767 };
const IP_FAMILY_POLICIES = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];
const INVALID_IP = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

type Spec = JsonMap;

function isService(type: ResourceType): boolean {
  return !type.custom && type.group === '' && type.kind === 'Service';
}

function specOf(o: KubeObject | undefined): Spec | undefined {
  return o && isMap(o.spec) ? (o.spec as Spec) : undefined;
}

/** ExternalName is the one type without a cluster IP ("None" counts as a value). */
export function needsClusterIP(s: Spec): boolean {
  return getString(s, 'type') !== 'ExternalName';
}

export function needsNodePort(s: Spec): boolean {
  const type = getString(s, 'type');
  return type === 'NodePort' || (type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts !== false);
}

function needsHealthCheckNodePort(s: Spec): boolean {
  return getString(s, 'type') === 'LoadBalancer' && getString(s, 'externalTrafficPolicy') === 'Local';
}

function portsOf(s: Spec): JsonMap[] {
  return (getArray(s, 'ports') ?? []).filter(isMap);
}

function clusterIPsOf(s: Spec): string[] {
  return (getArray(s, 'clusterIPs') ?? []).map(String);
}

function nodePortOf(p: JsonMap): number {
  return typeof p.nodePort === 'number' ? p.nodePort : 0;
}

function sameStrings(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}

/** Offsets, from a random start within the upper (dynamic) part of a range, then the lower (static) part: Kubernetes keeps the low band for addresses users ask for. */
function* probeOrder(first: number, last: number, random: () => number): Generator<number> {
  const count = last - first + 1;
  const staticBand = Math.min(Math.max(16, Math.floor(count / 16)), 256, Math.floor(count / 2));
  const dynFirst = first + staticBand;
  const dynCount = last - dynFirst + 1;
  const start = Math.floor(random() * dynCount);
  for (let i = 0; i < dynCount; i++) yield dynFirst + ((start + i) % dynCount);
  for (let o = first; o < dynFirst; o++) yield o;
}

export class ServiceAddressAllocator implements AdmissionPlugin {
  private readonly range: Cidr;
  private readonly nodePorts: PortRange;
  private readonly random: () => number;

  constructor(
    private readonly services: ServiceSource,
    options: ServiceAddressAllocatorOptions,
  ) {
    this.range = parseCidr(options.serviceCIDR);
    this.nodePorts = options.nodePortRange ?? DEFAULT_NODE_PORTS;
    this.random = options.random ?? Math.random;
  }

  /** The first address of the range: the `kubernetes` Service's ClusterIP. */
  get firstAddress(): string {
    return formatIPv4(nthAddress(this.range, usableOffsets(this.range).first));
  }

  admit(type: ResourceType, obj: KubeObject, old: KubeObject | undefined): void {
    if (!isService(type)) return;
    const spec = specOf(obj);
    if (!spec) return;
    const oldSpec = specOf(old);
    // A write that leaves the spec as stored (a status update, a label change) has nothing to allocate or check.
    if (oldSpec && canonical(spec) === canonical(oldSpec)) return;
    if (oldSpec) {
      patchAllocatedValues(spec, oldSpec);
      normalizeClusterIPsOnUpdate(spec, oldSpec);
      dropTypeDependentFields(spec, oldSpec);
    } else if (getString(spec, 'clusterIP') && clusterIPsOf(spec).length === 0) {
      spec.clusterIPs = [spec.clusterIP];
    }
    const causes: FieldCause[] = [];
    if (needsClusterIP(spec)) {
      causes.push(...initIPFamilies(spec));
      if (causes.length === 0) causes.push(...this.allocateClusterIP(spec, obj));
    }
    causes.push(...this.allocateNodePorts(spec, obj));
    if (causes.length > 0) throw invalid('Service', obj.metadata.name ?? '', causes);
  }

  // ------------------------------------------------------------------ cluster IPs

  private allocateClusterIP(spec: Spec, obj: KubeObject): FieldCause[] {
    const ip = getString(spec, 'clusterIP');
    const ips = clusterIPsOf(spec);
    if (ip === 'None') {
      if (ips.length === 0) spec.clusterIPs = ['None'];
      return [];
    }
    // clusterIP and clusterIPs must agree (validateServiceClusterIPsRelatedFields).
    if (ip && ips[0] !== ip) return [invalidRendered('spec.clusterIPs', goStringSlice(ips), 'first value must match `clusterIP`')];
    if (!ip && ips.length > 0) return [invalidRendered('spec.clusterIPs', goStringSlice(ips), 'must be empty when `clusterIP` is not specified')];
    if (ips.length > 1) return [invalidRendered('spec.clusterIPs', goStringSlice(ips), 'this cluster is not configured for dual-stack services')];
    const taken = this.takenIPs(obj);
    if (ip) {
      const n = parseIPv4(ip);
      if (n === undefined) {
        if (looksLikeIPv6(ip)) return [fieldError.invalid('spec.clusterIPs[0]', ip, 'IPv6 is not configured on this cluster')];
        return [fieldError.invalid('spec.clusterIPs[0]', ip, INVALID_IP)];
      }
      if (taken.has(n)) return [invalidRendered('spec.clusterIPs', goStringSlice(ips), `failed to allocate IP ${ip}: provided IP is already allocated`)];
      if (!this.allocatable(n)) {
        return [invalidRendered('spec.clusterIPs', goStringSlice(ips), `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${formatCidr(this.range)}`)];
      }
      return [];
    }
    const { first, last } = usableOffsets(this.range);
    for (const offset of probeOrder(first, last, this.random)) {
      const n = nthAddress(this.range, offset);
      if (taken.has(n)) continue;
      const allocated = formatIPv4(n);
      spec.clusterIP = allocated;
      spec.clusterIPs = [allocated];
      return [];
    }
    throw new ApiError(500, 'InternalError', 'Internal error occurred: failed to allocate a serviceIP: range is full');
  }

  private allocatable(n: number): boolean {
    if (!cidrContains(this.range, n)) return false;
    const offset = n - this.range.base;
    const { first, last } = usableOffsets(this.range);
    return offset >= first && offset <= last;
  }

  /** ClusterIPs held by every other stored Service (the object itself may be stored already: an update). */
  private takenIPs(self: KubeObject): Map<number, string> {
    const taken = new Map<number, string>();
    for (const { obj } of this.services.list('services')) {
      if (sameObject(obj, self)) continue;
      const s = specOf(obj);
      if (!s || !needsClusterIP(s)) continue;
      for (const ip of clusterIPsOf(s)) {
        const n = parseIPv4(ip);
        if (n !== undefined) taken.set(n, `${obj.metadata.namespace}/${obj.metadata.name}`);
      }
    }
    return taken;
  }

  // ------------------------------------------------------------------ node ports

  private allocateNodePorts(spec: Spec, obj: KubeObject): FieldCause[] {
    const wantPorts = needsNodePort(spec);
    const wantHealth = needsHealthCheckNodePort(spec);
    if (!wantPorts && !wantHealth) return [];
    const taken = this.takenNodePorts(obj);
    const causes: FieldCause[] = [];
    const claim = (port: number, field: string): boolean => {
      if (port < this.nodePorts.min || port > this.nodePorts.max) {
        causes.push(fieldError.invalid(field, port, `provided port is not in the valid range. The range of valid ports is ${this.nodePorts.min}-${this.nodePorts.max}`));
        return false;
      }
      if (taken.has(port)) {
        causes.push(fieldError.invalid(field, port, 'provided port is already allocated'));
        return false;
      }
      taken.add(port);
      return true;
    };
    const ports = portsOf(spec);
    // Requested ports first, so a dynamic pick never takes a port asked for later in the list.
    const own = new Set<number>();
    if (wantPorts) {
      ports.forEach((p, i) => {
        const n = nodePortOf(p);
        if (n !== 0 && !own.has(n) && claim(n, `spec.ports[${i}].nodePort`)) own.add(n);
      });
    }
    const requestedHealth = typeof spec.healthCheckNodePort === 'number' ? spec.healthCheckNodePort : 0;
    if (wantHealth && requestedHealth !== 0 && !own.has(requestedHealth)) claim(requestedHealth, 'spec.healthCheckNodePort');
    if (causes.length > 0) return causes;
    // Ports with the same number (e.g. 53/TCP and 53/UDP) share one node port, as in Kubernetes.
    const byServicePort = new Map<number, number>();
    for (const p of ports) if (nodePortOf(p) !== 0 && typeof p.port === 'number') byServicePort.set(p.port, nodePortOf(p));
    if (wantPorts) {
      for (const p of ports) {
        if (nodePortOf(p) !== 0) continue;
        const shared = typeof p.port === 'number' ? byServicePort.get(p.port) : undefined;
        const n = shared ?? this.pickNodePort(taken);
        p.nodePort = n;
        if (typeof p.port === 'number') byServicePort.set(p.port, n);
      }
    }
    if (wantHealth && requestedHealth === 0) spec.healthCheckNodePort = this.pickNodePort(taken);
    return causes;
  }

  private pickNodePort(taken: Set<number>): number {
    for (const offset of probeOrder(0, this.nodePorts.max - this.nodePorts.min, this.random)) {
      const port = this.nodePorts.min + offset;
      if (taken.has(port)) continue;
      taken.add(port);
      return port;
    }
    throw new ApiError(500, 'InternalError', 'Internal error occurred: failed to allocate a nodePort: range is full');
  }

  private takenNodePorts(self: KubeObject): Set<number> {
    const taken = new Set<number>();
    for (const { obj } of this.services.list('services')) {
      if (sameObject(obj, self)) continue;
      const s = specOf(obj);
      if (!s) continue;
      for (const p of portsOf(s)) if (nodePortOf(p) !== 0) taken.add(nodePortOf(p));
      if (typeof s.healthCheckNodePort === 'number' && s.healthCheckNodePort !== 0) taken.add(s.healthCheckNodePort);
    }
    return taken;
  }
}

function sameObject(stored: KubeObject, candidate: KubeObject): boolean {
  return stored.metadata.namespace === candidate.metadata.namespace && stored.metadata.name === candidate.metadata.name;
}

/** ipFamilies and ipFamilyPolicy as Kubernetes fills them on a single-stack IPv4 cluster. */
function initIPFamilies(spec: Spec): FieldCause[] {
  const causes: FieldCause[] = [];
  const policy = getString(spec, 'ipFamilyPolicy');
  if (policy && !IP_FAMILY_POLICIES.includes(policy)) causes.push(fieldError.notSupported('spec.ipFamilyPolicy', policy, IP_FAMILY_POLICIES));
  const headlessNoSelector = getString(spec, 'clusterIP') === 'None' && (!isMap(spec.selector) || Object.keys(spec.selector).length === 0);
  if (policy === 'RequireDualStack' && !headlessNoSelector) {
    causes.push(fieldError.invalid('spec.ipFamilyPolicy', policy, 'this cluster is not configured for dual-stack services'));
  }
  const families = (getArray(spec, 'ipFamilies') ?? []).map(String);
  families.forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') causes.push(fieldError.notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
    else if (f === 'IPv6') causes.push(fieldError.invalid(`spec.ipFamilies[${i}]`, f, 'not configured on this cluster'));
  });
  if (causes.length === 0 && families.length === 0) spec.ipFamilies = ['IPv4'];
  if (!policy) spec.ipFamilyPolicy = 'SingleStack';
  return causes;
}

/** An update that leaves out allocated values keeps them (registry patchAllocatedValues). */
function patchAllocatedValues(spec: Spec, old: Spec): void {
  if (needsClusterIP(old) && needsClusterIP(spec)) {
    if (!getString(spec, 'clusterIP') && getString(old, 'clusterIP')) spec.clusterIP = old.clusterIP;
    if (clusterIPsOf(spec).length === 0 && clusterIPsOf(old).length > 0) spec.clusterIPs = [...clusterIPsOf(old)];
    if ((getArray(spec, 'ipFamilies') ?? []).length === 0 && (getArray(old, 'ipFamilies') ?? []).length > 0) spec.ipFamilies = [...(getArray(old, 'ipFamilies') ?? [])];
  }
  if (needsNodePort(old) && needsNodePort(spec)) {
    const used = new Set(portsOf(spec).map(nodePortOf).filter((n) => n !== 0));
    const byName = new Map(portsOf(old).map((p) => [getString(p, 'name'), nodePortOf(p)]));
    for (const p of portsOf(spec)) {
      if (nodePortOf(p) !== 0) continue;
      const previous = byName.get(getString(p, 'name')) ?? 0;
      if (previous !== 0 && !used.has(previous)) {
        p.nodePort = previous;
        used.add(previous);
      }
    }
  }
  if (needsHealthCheckNodePort(old) && needsHealthCheckNodePort(spec) && !spec.healthCheckNodePort && old.healthCheckNodePort) {
    spec.healthCheckNodePort = old.healthCheckNodePort;
  }
}

/** Keeps clusterIP and clusterIPs in step when an update changes or clears only one of them (NormalizeClusterIPs). */
function normalizeClusterIPsOnUpdate(spec: Spec, old: Spec): void {
  const oldIP = getString(old, 'clusterIP');
  const newIP = getString(spec, 'clusterIP');
  if (clusterIPsOf(old).length > 0 && clusterIPsOf(spec).length === 0 && oldIP === newIP) spec.clusterIPs = [...clusterIPsOf(old)];
  if (oldIP !== newIP) {
    const same = sameStrings(old.clusterIPs, spec.clusterIPs);
    if (oldIP && !newIP && same) delete spec.clusterIPs;
    else if (same) spec.clusterIPs = [newIP];
  }
}

/** Releases what the new type no longer needs, unless the user changed it (dropTypeDependentFields). */
function dropTypeDependentFields(spec: Spec, old: Spec): void {
  if (needsClusterIP(old) && !needsClusterIP(spec)) {
    if (getString(spec, 'clusterIP') === getString(old, 'clusterIP') && sameStrings(spec.clusterIPs, old.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (sameStrings(spec.ipFamilies, old.ipFamilies)) delete spec.ipFamilies;
    if (getString(spec, 'ipFamilyPolicy') === getString(old, 'ipFamilyPolicy')) delete spec.ipFamilyPolicy;
  }
  if (needsNodePort(old) && !needsNodePort(spec)) {
    const same = sameStrings(portsOf(spec).map(nodePortOf), portsOf(old).map(nodePortOf));
    if (same) for (const p of portsOf(spec)) delete p.nodePort;
  }
  if (needsHealthCheckNodePort(old) && !needsHealthCheckNodePort(spec) && spec.healthCheckNodePort === old.healthCheckNodePort) delete spec.healthCheckNodePort;
}
