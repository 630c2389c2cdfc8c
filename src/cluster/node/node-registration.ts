/**
 * The Node object for this machine, registered and kept alive the way a kubelet does: the Node with
 * its addresses, capacity, info and conditions, and a Lease in `kube-node-lease` renewed every
 * ten seconds (which is what `kubectl get nodes` and node controllers read as the heartbeat).
 */
import os from 'node:os';
import type { ResourceRegistry } from '../api/resource-registry.js';
import type { ResourceService } from '../api/resource-service.js';
import { now } from '../api/resource-service.js';
import { systemScope } from '../controllers/system-scope.js';
import { ApiError } from '../errors.js';
import type { KubeObject } from '../objects.js';
import type { ObjectStore } from '../store/object-store.js';

export const KUBELET_VERSION = 'v1.34.0-argosy';
const MANAGER = 'kubelet';
const LEASE_SECONDS = 40;
const RENEW_MS = 10_000;

export interface NodeRegistrationOptions {
  store: ObjectStore;
  registry: ResourceRegistry;
  service: ResourceService;
  nodeName: string;
  nodeIP: string;
  /** What runs pods, shown as the node's container runtime (e.g. `argosy-bubblewrap`). */
  runtime: string;
  onError: (err: unknown) => void;
}

export class NodeRegistration {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: NodeRegistrationOptions) {}

  async start(): Promise<void> {
    await this.registerNode();
    await this.renewLease();
    this.timer = setInterval(() => this.renewLease().catch(this.o.onError), RENEW_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async registerNode(): Promise<void> {
    const { store, registry, service, nodeName, nodeIP } = this.o;
    const type = registry.lookup('', 'v1', 'nodes')!;
    const scope = systemScope(type, undefined, MANAGER);
    const arch = process.arch === 'x64' ? 'amd64' : process.arch;
    const labels = {
      'kubernetes.io/hostname': nodeName,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': arch,
      'beta.kubernetes.io/os': 'linux',
      'beta.kubernetes.io/arch': arch,
      'node-role.kubernetes.io/control-plane': '',
    };
    const existing = store.get('nodes', nodeName)?.obj;
    if (!existing) {
      await service.create(scope, { apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName, labels }, spec: {} });
    } else {
      // Keep labels users added; restore the ones the kubelet owns.
      const next = structuredClone(existing);
      next.metadata.labels = { ...(next.metadata.labels ?? {}), ...labels };
      if (JSON.stringify(next.metadata.labels) !== JSON.stringify(existing.metadata.labels)) await service.update(scope, nodeName, next);
    }
    const current = store.get('nodes', nodeName)!.obj;
    const next: KubeObject = structuredClone(current);
    const cpus = String(os.cpus().length);
    const memory = `${Math.floor(os.totalmem() / 1024)}Ki`;
    const resources = { cpu: cpus, memory, pods: '1000', 'ephemeral-storage': '100Gi' };
    const t = now();
    next.status = {
      capacity: resources,
      allocatable: resources,
      addresses: [{ type: 'InternalIP', address: nodeIP }, { type: 'Hostname', address: nodeName }],
      daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
      nodeInfo: {
        machineID: '',
        systemUUID: '',
        bootID: '',
        kernelVersion: os.release(),
        osImage: `${os.type()} ${os.release()}`,
        containerRuntimeVersion: `${this.o.runtime}://${process.version}`,
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: KUBELET_VERSION,
        operatingSystem: 'linux',
        architecture: arch,
      },
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available', t),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', t),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available', t),
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status', t),
      ],
    };
    await service.update(scope, nodeName, next, 'status');
  }

  private async renewLease(): Promise<void> {
    const { registry, service, store, nodeName } = this.o;
    const type = registry.lookup('coordination.k8s.io', 'v1', 'leases')!;
    const scope = systemScope(type, 'kube-node-lease', MANAGER);
    const node = store.get('nodes', nodeName)?.obj;
    const renewTime = new Date().toISOString().replace('Z', '000Z');
    const existing = store.get('coordination.k8s.io/leases', `kube-node-lease/${nodeName}`)?.obj;
    try {
      if (!existing) {
        await service.create(scope, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: {
            name: nodeName,
            namespace: 'kube-node-lease',
            ...(node ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata.uid! }] } : {}),
          },
          spec: { holderIdentity: nodeName, leaseDurationSeconds: LEASE_SECONDS, renewTime },
        });
      } else {
        await service.patch(scope, nodeName, 'merge', { spec: { renewTime } });
      }
    } catch (err) {
      // Someone else wrote the lease between our read and write; the next tick renews it.
      if (!(err instanceof ApiError && (err.code === 409 || err.code === 404))) throw err;
    }
  }
}

function condition(type: string, status: string, reason: string, message: string, t: string): Record<string, string> {
  return { type, status, reason, message, lastHeartbeatTime: t, lastTransitionTime: t };
}
