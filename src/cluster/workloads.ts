/**
 * Everything that makes the embedded API server a working one-node cluster, assembled in the order
 * the parts need each other: the node's network (the kubelet and Services need its addresses),
 * Service address admission, the workload controllers, the scheduler, the Node and its lease,
 * the kubelet, and once the API server listens, endpoints/DNS/service proxy. Stopping runs the
 * other way: the kubelet ends every pod process before the network it lives in goes.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { SubresourceHandler } from './api/api-handler.js';
import type { PodLogHandler } from './api/pod-log.js';
import type { ResourceRegistry } from './api/resource-registry.js';
import type { ResourceService } from './api/resource-service.js';
import { CronJobController } from './controllers/cronjob-controller.js';
import { DaemonSetController } from './controllers/daemonset-controller.js';
import { DeploymentController } from './controllers/deployment-controller.js';
import { EventRecorder } from './controllers/event-recorder.js';
import { JobController } from './controllers/job-controller.js';
import { ReplicaSetController } from './controllers/replicaset-controller.js';
import { Scheduler } from './controllers/scheduler.js';
import { StatefulSetController } from './controllers/statefulset-controller.js';
import { VolumeProvisioner } from './controllers/volume-provisioner.js';
import { Kubelet, loadImageProfile } from './kubelet/kubelet.js';
import { ClusterNetworking } from './network/cluster-networking.js';
import { createPodNetwork, type NodeNetwork } from './network/node-network.js';
import { NodeRegistration } from './node/node-registration.js';
import type { ObjectStore } from './store/object-store.js';

export interface WorkloadOptions {
  /** The one node's name (default `argosy`). */
  nodeName?: string;
  /** 'auto' gives pods their own network namespaces where the host allows; 'host' never does. */
  podNetwork?: 'auto' | 'host';
  /** A YAML image profile replacing the default one (see the README). */
  imageProfilePath?: string;
  crashLoopBackOffBaseMs?: number;
  simulatedReadyDelayMs?: number;
  /** Port for cluster DNS on the bridge address (default 53). */
  dnsPort?: number;
}

export interface WorkloadDeps {
  store: ObjectStore;
  registry: ResourceRegistry;
  service: ResourceService;
  dataDir: string;
  log: Logger;
  onError: (key: string, err: unknown) => void;
  podLogs: PodLogHandler;
  /** The API handler's subresource handlers: the service/pod proxies are added here. */
  subresources: SubresourceHandler[];
}

export interface RunningWorkloads {
  readonly network: NodeNetwork;
  readonly kubelet: Kubelet;
  /** Starts what needs the API server's address (the `kubernetes` Service, endpoints, DNS, proxy). */
  serve(apiHost: string, apiPort: number): Promise<void>;
  close(): Promise<void>;
}

export async function startWorkloads(deps: WorkloadDeps, options: WorkloadOptions = {}): Promise<RunningWorkloads> {
  const { store, registry, service, dataDir, log, onError } = deps;
  const nodeName = options.nodeName ?? 'argosy';
  const recorder = (component: string): EventRecorder =>
    new EventRecorder(registry, service, { component, host: nodeName }, (err) => log.debug({ err, component }, 'recording an event failed'));

  const network = await createPodNetwork({ stateDir: path.join(dataDir, 'network'), log, preferNamespaces: options.podNetwork !== 'host' });
  const networking = new ClusterNetworking({ store, registry, service, network, log, onError, recorder: recorder('endpoint-controller'), ...(options.dnsPort !== undefined ? { dnsPort: options.dnsPort } : {}) });
  deps.subresources.push(networking.proxyHandler);

  const controllers = [
    new ReplicaSetController(store, registry, service, onError, recorder('replicaset-controller')),
    new DeploymentController(store, registry, service, onError, recorder('deployment-controller')),
    new JobController(store, registry, service, onError, recorder('job-controller')),
    new CronJobController(store, registry, service, onError, recorder('cronjob-controller')),
    new StatefulSetController(store, registry, service, onError, recorder('statefulset-controller')),
    new DaemonSetController(store, registry, service, onError, recorder('daemonset-controller'), { nodeName }),
    new VolumeProvisioner(store, registry, service, onError, recorder('persistentvolume-controller'), { volumesDir: path.join(dataDir, 'volumes') }),
    new Scheduler(store, registry, service, onError, recorder('default-scheduler'), nodeName),
  ];

  const kubelet = new Kubelet({
    store,
    registry,
    service,
    nodeName,
    dataDir: path.join(dataDir, 'kubelet'),
    network,
    log,
    recorder: recorder('kubelet'),
    ...(options.imageProfilePath ? { imageProfile: loadImageProfile(options.imageProfilePath) } : {}),
    ...(options.crashLoopBackOffBaseMs !== undefined ? { crashLoopBackOffBaseMs: options.crashLoopBackOffBaseMs } : {}),
    ...(options.simulatedReadyDelayMs !== undefined ? { simulatedReadyDelayMs: options.simulatedReadyDelayMs } : {}),
  });
  deps.podLogs.source = kubelet.logSource;

  let node: NodeRegistration | undefined;
  let started = false;
  const close = async (): Promise<void> => {
    node?.stop();
    for (const c of controllers) c.stop();
    await kubelet.stop();
    await networking.close();
    await network.close();
  };
  try {
    await kubelet.start();
    node = new NodeRegistration({ store, registry, service, nodeName, nodeIP: network.nodeIP, runtime: kubelet.runtimeName, onError: (err) => onError('node-lease', err) });
    await node.start();
    for (const c of controllers) c.start();
    started = true;
  } finally {
    if (!started) await close();
  }
  return {
    network,
    kubelet,
    serve: (apiHost, apiPort) => networking.start({ host: apiHost, port: apiPort }),
    close,
  };
}
