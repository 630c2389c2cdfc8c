/**
 * For the kubelet's tests: a real store, registry and ResourceService assembled as cluster.ts
 * assembles them (no HTTP), a Kubelet on HostPodNetwork in a temp dir, and helpers to create
 * objects and wait for pods. `dispose()` stops the kubelet (no process left) and removes the dir.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { ResourceRegistry } from '../api/resource-registry.js';
import { ResourceService } from '../api/resource-service.js';
import { BUILTIN_RESOURCE_TYPES } from '../builtin/resource-table.js';
import { EventRecorder } from '../controllers/event-recorder.js';
import { systemScope } from '../controllers/system-scope.js';
import { HostPodNetwork, type PodNetwork } from '../network/pod-network.js';
import type { KubeObject } from '../objects.js';
import { ObjectStore } from '../store/object-store.js';
import { Kubelet, type KubeletOptions } from './kubelet.js';
import type { PodStatus } from './types.js';
import { eventually } from '../../../test/support/in-process-cluster.js';

export const NODE = 'argosy';

export interface Harness {
  dir: string;
  store: ObjectStore;
  registry: ResourceRegistry;
  service: ResourceService;
  kubelet: Kubelet;
  create(obj: KubeObject): Promise<KubeObject>;
  pod(name: string, namespace?: string): KubeObject | undefined;
  status(name: string, namespace?: string): PodStatus;
  events(name: string): { reason: string; message: string; type: string }[];
  waitFor<T>(what: string, fn: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  /** Starts a second kubelet on the same store and data dir (after stopping the first). */
  restartKubelet(): Promise<Kubelet>;
  dispose(): Promise<void>;
}

export async function startHarness(options: Partial<KubeletOptions> = {}): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argosy-kubelet-'));
  const store = ObjectStore.open(path.join(dir, 'store'));
  const registry = new ResourceRegistry(BUILTIN_RESOURCE_TYPES);
  const service = new ResourceService(store);
  const nsType = registry.lookup('', 'v1', 'namespaces')!;
  await service.create(systemScope(nsType, undefined, 'test'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  const recorder = new EventRecorder(registry, service, { component: 'kubelet', host: NODE });
  const network: PodNetwork = options.network ?? new HostPodNetwork();
  const makeKubelet = (): Kubelet =>
    new Kubelet({
      store,
      registry,
      service,
      nodeName: NODE,
      dataDir: path.join(dir, 'kubelet'),
      network,
      log: pino({ level: process.env.KUBELET_TEST_LOG ?? 'silent' }),
      recorder,
      crashLoopBackOffBaseMs: 200,
      simulatedReadyDelayMs: 100,
      statusCoalesceMs: 20,
      ...options,
    });
  let kubelet = makeKubelet();
  await kubelet.start();

  const typeOf = (obj: KubeObject): ReturnType<ResourceRegistry['lookup']> => {
    const [group, version] = (obj.apiVersion ?? 'v1').includes('/') ? obj.apiVersion!.split('/') : ['', obj.apiVersion ?? 'v1'];
    const plural = `${obj.kind!.toLowerCase()}s`.replace(/ys$/, 'ies');
    return registry.lookup(group, version, plural);
  };
  const h: Harness = {
    dir,
    store,
    registry,
    service,
    get kubelet() {
      return kubelet;
    },
    async create(obj) {
      const type = typeOf(obj)!;
      const r = await service.create(systemScope(type, type.namespaced ? (obj.metadata.namespace ?? 'default') : undefined, 'test'), obj);
      return r.object;
    },
    pod: (name, namespace = 'default') => store.get('pods', `${namespace}/${name}`)?.obj,
    status: (name, namespace = 'default') => (store.get('pods', `${namespace}/${name}`)?.obj.status ?? {}) as PodStatus,
    events: (name) =>
      store
        .list('events', 'default')
        .map((s) => s.obj as unknown as { involvedObject: { name: string }; reason: string; message: string; type: string })
        .filter((e) => e.involvedObject.name === name)
        .map((e) => ({ reason: e.reason, message: e.message, type: e.type })),
    waitFor: (what, fn, timeoutMs = 8000) => eventually(what, fn, timeoutMs),
    async restartKubelet() {
      await kubelet.stop();
      kubelet = makeKubelet();
      await kubelet.start();
      return kubelet;
    },
    async dispose() {
      await kubelet.stop();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** A pod bound to the test node. */
export function boundPod(name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ...metadata }, spec: { nodeName: NODE, ...spec } };
}

/** Processes whose command line mentions `marker` (to prove none is left behind). */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(marker)) found.push(Number(entry));
    } catch {
      // Exited meanwhile.
    }
  }
  return found;
}
