/**
 * For the networking tests: a real store, registry and ResourceService assembled as cluster.ts
 * assembles them (no HTTP), namespaces `default` and `other`, and helpers to write objects the way
 * clients and the kubelet do (pods get their IP and Ready condition through the status subresource).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ResourceRegistry } from '../api/resource-registry.js';
import { now, ResourceService } from '../api/resource-service.js';
import { BUILTIN_RESOURCE_TYPES } from '../builtin/resource-table.js';
import { systemScope } from '../controllers/system-scope.js';
import type { KubeObject, ResourceType } from '../objects.js';
import { ObjectStore } from '../store/object-store.js';
import { eventually } from '../../../test/support/in-process-cluster.js';

export interface NetHarness {
  dir: string;
  store: ObjectStore;
  registry: ResourceRegistry;
  service: ResourceService;
  typeOf(obj: KubeObject): ResourceType;
  create(obj: KubeObject): Promise<KubeObject>;
  update(obj: KubeObject): Promise<KubeObject>;
  remove(obj: KubeObject): Promise<void>;
  get(resource: string, key: string): KubeObject | undefined;
  /** Creates a pod and gives it an IP and readiness through `pods/status`, as the kubelet would. */
  runPod(name: string, labels: Record<string, string>, ip: string, ready: boolean, extra?: { namespace?: string; spec?: Record<string, unknown> }): Promise<KubeObject>;
  setReady(name: string, ready: boolean, namespace?: string): Promise<void>;
  waitFor<T>(what: string, fn: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  dispose(): Promise<void>;
}

export async function startNetHarness(): Promise<NetHarness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argosy-net-'));
  const store = ObjectStore.open(path.join(dir, 'store'));
  const registry = new ResourceRegistry(BUILTIN_RESOURCE_TYPES);
  const service = new ResourceService(store);
  const typeOf = (obj: KubeObject): ResourceType => {
    const [group, version] = (obj.apiVersion ?? 'v1').includes('/') ? obj.apiVersion!.split('/') : ['', obj.apiVersion ?? 'v1'];
    const plural = obj.kind === 'Endpoints' ? 'endpoints' : `${obj.kind!.toLowerCase()}s`.replace(/ys$/, 'ies');
    const t = registry.lookup(group, version, plural);
    if (!t) throw new Error(`no type for ${obj.apiVersion} ${obj.kind}`);
    return t;
  };
  const scope = (obj: KubeObject) => {
    const type = typeOf(obj);
    return systemScope(type, type.namespaced ? (obj.metadata.namespace ?? 'default') : undefined, 'test');
  };
  for (const name of ['default', 'other']) await service.create(scope({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const setStatus = async (name: string, namespace: string, status: (old: Record<string, unknown>) => Record<string, unknown>): Promise<void> => {
    const pod = store.get('pods', `${namespace}/${name}`)!.obj;
    await service.update(scope(pod), name, { ...pod, status: status((pod.status ?? {}) as Record<string, unknown>) }, 'status');
  };
  const readyConditions = (ready: boolean) => [
    { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: now() },
    { type: 'Ready', status: ready ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: now() },
    { type: 'ContainersReady', status: ready ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: now() },
    { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now() },
  ];
  const h: NetHarness = {
    dir,
    store,
    registry,
    service,
    typeOf,
    async create(obj) {
      return (await service.create(scope(obj), obj)).object;
    },
    async update(obj) {
      return (await service.update(scope(obj), obj.metadata.name!, obj)).object;
    },
    async remove(obj) {
      await service.delete(scope(obj), obj.metadata.name!, { gracePeriodSeconds: 0 });
    },
    get: (resource, key) => store.get(resource, key)?.obj,
    async runPod(name, labels, ip, ready, extra = {}) {
      const namespace = extra.namespace ?? 'default';
      await h.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace, labels },
        spec: { containers: [{ name: 'app', image: 'node', ports: [{ name: 'http', containerPort: 8080 }] }], nodeName: 'argosy', ...(extra.spec ?? {}) },
      });
      await setStatus(name, namespace, () => ({ phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: '10.0.0.1', conditions: readyConditions(ready) }));
      return store.get('pods', `${namespace}/${name}`)!.obj;
    },
    async setReady(name, ready, namespace = 'default') {
      await setStatus(name, namespace, (old) => ({ ...old, conditions: readyConditions(ready) }));
    },
    waitFor: (what, fn, timeoutMs = 5_000) => eventually(what, fn, timeoutMs),
    async dispose() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

export function svc(name: string, spec: Record<string, unknown>, namespace = 'default', labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, ...(labels ? { labels } : {}) }, spec };
}
