/**
 * The node's network as the rest of the cluster needs it: the PodNetwork the kubelet uses, plus
 * what Services need from it — the Service range to allocate ClusterIPs from, where cluster DNS
 * listens, and a way to make a ClusterIP a local address so the service proxy can listen on it.
 *
 * `createPodNetwork` picks the namespaced network when the host allows it (root, `ip netns add`
 * works) and otherwise falls back to the host network, saying so once.
 */
import type { Logger } from 'pino';
import { HostPodNetwork, type PodNetwork } from './pod-network.js';

export type NetworkLog = Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;

export interface NodeNetwork extends PodNetwork {
  /** Pod addresses come from here (empty in host mode: pods use the node's address). */
  readonly podCIDR: string;
  /** ClusterIPs come from here. */
  readonly serviceCIDR: string;
  /** Where cluster DNS should listen (the bridge address); undefined when DNS is not served (host mode). */
  readonly dnsIP: string | undefined;
  /** Makes `ip` a local address of the node so the proxy can listen on it; false when that is impossible (host mode). */
  addLocalAddress(ip: string): Promise<boolean>;
  removeLocalAddress(ip: string): Promise<void>;
}

/** Kubernetes' conventional Service range; in host mode ClusterIPs are bookkeeping only (nothing listens on them). */
export const HOST_MODE_SERVICE_CIDR = '10.96.0.0/12';

export class HostNodeNetwork extends HostPodNetwork implements NodeNetwork {
  readonly podCIDR = '';
  readonly serviceCIDR = HOST_MODE_SERVICE_CIDR;
  readonly dnsIP = undefined;

  addLocalAddress(): Promise<boolean> {
    return Promise.resolve(false);
  }

  removeLocalAddress(): Promise<void> {
    return Promise.resolve();
  }
}

/** `/etc/resolv.conf` for a pod in `namespace`, pointing at cluster DNS (what the kubelet writes for dnsPolicy ClusterFirst). */
export function resolvConf(dnsIP: string, namespace: string, domain = 'cluster.local'): string {
  return `nameserver ${dnsIP}\nsearch ${namespace}.svc.${domain} svc.${domain} ${domain}\noptions ndots:5\n`;
}

export interface CreatePodNetworkOptions {
  /** Where the namespaced network records what it created (the cluster's data dir). */
  stateDir: string;
  log: NetworkLog;
  /** false forces the host network (e.g. tests that must not need root). Default true. */
  preferNamespaces?: boolean;
}

export async function createPodNetwork(opts: CreatePodNetworkOptions): Promise<NodeNetwork> {
  if (opts.preferNamespaces === false) return new HostNodeNetwork();
  const why = namespacesUnavailableReason();
  if (!why) {
    // Imported lazily: the host fallback never needs iproute2.
    const { NamespacedPodNetwork } = await import('./namespaced-pod-network.js');
    try {
      return await NamespacedPodNetwork.start({ stateDir: opts.stateDir, log: opts.log });
    } catch (err) {
      return hostFallback(opts.log, `setting up the pod bridge failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return hostFallback(opts.log, why);
}

function hostFallback(log: NetworkLog, why: string): NodeNetwork {
  log.warn(
    { reason: why },
    'pods share the host network: no per-pod network namespaces, every pod is 127.0.0.1, ClusterIPs are not reachable (use NodePorts on 127.0.0.1) and cluster DNS is not served',
  );
  return new HostNodeNetwork();
}

function namespacesUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'network namespaces need root (the cluster is not running as root)';
  return undefined;
}
