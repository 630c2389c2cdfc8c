/**
 * The contract between the local kubelet and pod networking. The kubelet asks for a sandbox per
 * pod before starting its first container and releases it when the pod is gone; the network
 * decides whether that is a network namespace with its own address on Argosy's bridge or, where
 * the host does not allow namespaces, the host's own network.
 */
export interface PodSandbox {
  /** The pod's address (`status.podIP`). */
  ip: string;
  /** `/run/netns/NAME` (or any path `nsenter --net=` accepts) when the pod has its own namespace. */
  netnsPath?: string;
  /** Contents for the pod's `/etc/resolv.conf`, when the network serves cluster DNS. */
  resolvConf?: string;
}

export interface PodIdentity {
  uid: string;
  namespace: string;
  name: string;
  hostname: string;
}

export interface PodNetwork {
  /** 'namespaced': every pod has its own network namespace and IP; 'host': pods share the host's. */
  readonly mode: 'namespaced' | 'host';
  /** The node's address as pods and Services see it (`status.hostIP`, LoadBalancer ingress). */
  readonly nodeIP: string;
  /** Idempotent: a second call for the same uid returns the existing sandbox (a restarted kubelet re-adopts it). */
  setup(pod: PodIdentity): Promise<PodSandbox>;
  /** Idempotent; removes the namespace and its address. */
  teardown(uid: string): Promise<void>;
  /** Removes every sandbox, bridge and address the network created (cluster stop). */
  close(): Promise<void>;
}

/** No namespaces: every pod is the host, on 127.0.0.1. Used where the host does not allow network namespaces. */
export class HostPodNetwork implements PodNetwork {
  readonly mode = 'host' as const;
  readonly nodeIP = '127.0.0.1';

  setup(): Promise<PodSandbox> {
    return Promise.resolve({ ip: this.nodeIP });
  }

  teardown(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
