/**
 * write-path: CPU per in-process write through `ResourceService`, the path the cluster's own
 * controllers and kubelet take (no HTTP): a Job-style pod create, its binding, two kubelet status
 * updates (Running, then Succeeded), a merge patch of an annotation, a strategic patch removing the
 * Job tracking finalizer, the pod's delete, an Event create and a ConfigMap create.
 *
 * What is timed is the synchronous stretch of each call — from the call until it returns its
 * promise at `await durable` — which is all the API server's CPU work for the write (validation,
 * defaulting, managedFields, serialization, the store); the LMDB commit that follows is waiting,
 * not CPU on this thread, and is awaited per batch outside the timing.
 *
 * With `WRITE_PATH_BASELINE=<dir>` (a copy of an older `src/`), the same operations also run
 * against that copy, alternating rounds in the same process so that noise from elsewhere on the
 * machine falls on both alike; the line then carries `baseline` and `ratio` (current / baseline).
 *
 *   node --import tsx bench/write-path.ts
 *   WRITE_PATH_BASELINE=/tmp/old-src node --import tsx bench/write-path.ts
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeTempDir, removeTempDir } from './lib/cleanup.js';
import { isMain } from './lib/main.js';
import { emit, hostLoad, progress, type Figures } from './lib/report.js';
import { round, scaled } from './lib/stats.js';

/** The slice of ResourceService (current or baseline copy) the benchmark drives. */
interface Service {
  create(scope: unknown, body: unknown, subresource?: string, name?: string): Promise<{ object: { metadata: { name?: string } } }>;
  update(scope: unknown, name: string, body: unknown, subresource?: string): Promise<unknown>;
  patch(scope: unknown, name: string, patchType: string, body: unknown): Promise<unknown>;
  delete(scope: unknown, name: string): Promise<unknown>;
}

interface StoredPod {
  obj: { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: unknown; status?: unknown };
}

/** One source tree's API server, opened on its own temp dir. */
interface Side {
  label: string;
  service: Service;
  store: { get(resource: string, key: string): StoredPod | undefined; close(): Promise<void> };
  scope(plural: string, group: string, version: string, manager: string): unknown;
  dataDir: string;
}

const NS = 'bench-write-path';
const OPS = ['podCreate', 'podBind', 'podStatusRunning', 'podStatusSucceeded', 'mergePatch', 'strategicPatch', 'podDelete', 'eventCreate', 'configMapCreate'] as const;
type Op = (typeof OPS)[number];

async function openSide(label: string, srcRoot: string): Promise<Side> {
  const load = async <T>(rel: string): Promise<T> => (await import(pathToFileURL(path.join(srcRoot, rel)).href)) as T;
  const { ObjectStore } = await load<typeof import('../src/cluster/store/object-store.js')>('cluster/store/object-store.ts');
  const { ResourceRegistry } = await load<typeof import('../src/cluster/api/resource-registry.js')>('cluster/api/resource-registry.ts');
  const { ResourceService } = await load<typeof import('../src/cluster/api/resource-service.js')>('cluster/api/resource-service.ts');
  const { BUILTIN_RESOURCE_TYPES } = await load<typeof import('../src/cluster/builtin/resource-table.js')>('cluster/builtin/resource-table.ts');
  const { systemScope } = await load<typeof import('../src/cluster/controllers/system-scope.js')>('cluster/controllers/system-scope.ts');
  const dataDir = makeTempDir(`write-path-${label}`);
  const store = ObjectStore.open(dataDir);
  const registry = new ResourceRegistry(BUILTIN_RESOURCE_TYPES);
  const service = new ResourceService(store);
  const scope = (plural: string, group: string, version: string, manager: string): ReturnType<typeof systemScope> => {
    const type = registry.lookup(group, version, plural);
    if (!type) throw new Error(`no resource ${group}/${version}/${plural}`);
    return systemScope(type, type.namespaced ? NS : undefined, manager);
  };
  await service.create(scope('namespaces', '', 'v1', 'bench'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  return { label, service: service as unknown as Service, store: store as unknown as Side['store'], scope, dataDir };
}

// ---------------------------------------------------------------- the objects written

const JOB_UID = '5b0b3c8e-6f0e-4d7a-9c59-2d3f1d6c0a11';

/** A pod as the job controller creates it (newJobPod). */
function jobPod(): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'true-p50-',
      namespace: NS,
      labels: { 'batch.kubernetes.io/controller-uid': JOB_UID, 'batch.kubernetes.io/job-name': 'true-p50', 'controller-uid': JOB_UID, 'job-name': 'true-p50' },
      finalizers: ['batch.kubernetes.io/job-tracking'],
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'true-p50', uid: JOB_UID, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: 'busybox:1.36', command: ['true'], resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' }],
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      securityContext: {},
      schedulerName: 'default-scheduler',
    },
  };
}

function condition(type: string, status: string, at: string): Record<string, unknown> {
  return { type, status, lastProbeTime: null, lastTransitionTime: at };
}

/** The status the kubelet writes once the container runs, then once it has exited 0. */
function podStatus(existing: Record<string, unknown>, done: boolean): Record<string, unknown> {
  const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const ready = done ? 'False' : 'True';
  const state = done
    ? { terminated: { exitCode: 0, reason: 'Completed', startedAt: at, finishedAt: at, containerID: 'argosy://1234' } }
    : { running: { startedAt: at } };
  return {
    ...existing,
    phase: done ? 'Succeeded' : 'Running',
    conditions: [
      condition('PodReadyToStartContainers', done ? 'False' : 'True', at),
      condition('Initialized', 'True', at),
      { ...condition('Ready', ready, at), ...(done ? { reason: 'PodCompleted' } : {}) },
      { ...condition('ContainersReady', ready, at), ...(done ? { reason: 'PodCompleted' } : {}) },
      condition('PodScheduled', 'True', at),
    ],
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    podIP: '10.244.0.17',
    podIPs: [{ ip: '10.244.0.17' }],
    startTime: at,
    containerStatuses: [
      {
        name: 'main',
        state,
        lastState: {},
        ready: !done,
        restartCount: 0,
        image: 'busybox:1.36',
        imageID: 'docker.io/library/busybox@sha256:0000',
        containerID: 'argosy://1234',
        started: !done,
      },
    ],
  };
}

function event(i: number, podName: string): unknown {
  const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${podName}.${(1_000_000 + i).toString(16)}`, namespace: NS },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: podName, namespace: NS, uid: JOB_UID, resourceVersion: '1' },
    reason: 'Started',
    message: 'Started container main',
    type: 'Normal',
    source: { component: 'kubelet', host: 'argosy' },
    reportingComponent: 'kubelet',
    reportingInstance: 'argosy',
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
  };
}

function configMap(name: string): unknown {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, labels: { app: 'bench' } }, data: { 'config.yaml': 'x'.repeat(300) } };
}

// ---------------------------------------------------------------- timing

/**
 * Microseconds of synchronous work per call, one figure per round (GC pauses included, as they are
 * part of the cost); the reported figure is the median over rounds, so that a round disturbed by
 * other load on the machine does not skew it.
 */
class Timings {
  readonly rounds = new Map<Op, number[]>();

  /** Runs `call` for each item, timing only the synchronous part, then awaits the writes together. */
  async time<T>(op: Op, items: readonly T[], call: (item: T) => Promise<unknown>): Promise<unknown[]> {
    const pending: Promise<unknown>[] = [];
    let elapsed = 0;
    for (const item of items) {
      const t0 = performance.now();
      pending.push(call(item));
      elapsed += performance.now() - t0;
    }
    const results = await Promise.all(pending);
    const list = this.rounds.get(op) ?? [];
    list.push((elapsed * 1000) / Math.max(1, items.length));
    this.rounds.set(op, list);
    return results;
  }

  perOp(): Record<Op, number> {
    const out = {} as Record<Op, number>;
    for (const op of OPS) out[op] = round(median(this.rounds.get(op) ?? []), 1);
    return out;
  }
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One round on one side: `batch` pods through their whole lifecycle, plus Events and ConfigMaps. */
async function round1(side: Side, timings: Timings, batch: number, roundNo: number): Promise<void> {
  const { service } = side;
  const pods = side.scope('pods', '', 'v1', 'job-controller');
  const kubelet = side.scope('pods', '', 'v1', 'kubelet');
  const scheduler = side.scope('pods', '', 'v1', 'default-scheduler');
  const indices = [...Array(batch).keys()];

  // A generated name can collide (5 random characters); the job controller then simply tries
  // again, and so does this (the retry is not timed).
  const createPod = (): Promise<unknown> =>
    service.create(pods, jobPod()).catch((err: unknown) => {
      if ((err as { code?: number }).code === 409) return service.create(pods, jobPod());
      throw err;
    });
  const created = (await timings.time('podCreate', indices, createPod)) as { object: { metadata: { name?: string } } }[];
  const names = created.map((r) => r.object.metadata.name!);
  await timings.time('podBind', names, (name) => service.create(scheduler, { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: 'argosy' } }, 'binding', name));
  const statusWrite = (done: boolean) => (name: string) => {
    // As the kubelet's StatusWriter builds its body: the stored pod with the new status.
    const pod = side.store.get('pods', `${NS}/${name}`)!.obj;
    const body = { apiVersion: pod.apiVersion, kind: pod.kind, metadata: { ...pod.metadata }, spec: pod.spec, status: podStatus((pod.status ?? {}) as Record<string, unknown>, done) };
    return service.update(kubelet, name, body, 'status');
  };
  await timings.time('podStatusRunning', names, statusWrite(false));
  await timings.time('mergePatch', names, (name) => service.patch(kubelet, name, 'merge', { metadata: { annotations: { 'argosy.io/container-modes': 'main=host' } } }));
  await timings.time('podStatusSucceeded', names, statusWrite(true));
  await timings.time('strategicPatch', names, (name) =>
    service.patch(pods, name, 'strategic', { metadata: { '$deleteFromPrimitiveList/finalizers': ['batch.kubernetes.io/job-tracking'] } }),
  );
  // A finished, released pod goes at once (no grace period); this also keeps generated names from colliding.
  await timings.time('podDelete', names, (name) => service.delete(pods, name));
  const events = side.scope('events', '', 'v1', 'kubelet');
  await timings.time('eventCreate', names, (name) => service.create(events, event(roundNo, name)));
  const cms = side.scope('configmaps', '', 'v1', 'bench');
  await timings.time('configMapCreate', indices, (i) => service.create(cms, configMap(`cm-${roundNo}-${i}`)));
}

export async function benchWritePath(): Promise<Figures> {
  const loadAtStart = hostLoad();
  const batch = scaled(250, 20);
  const rounds = scaled(12, 3);
  const sides: { side: Side; timings: Timings }[] = [];
  try {
    sides.push({ side: await openSide('current', path.resolve(import.meta.dirname, '../src')), timings: new Timings() });
    const baselineRoot = process.env.WRITE_PATH_BASELINE;
    if (baselineRoot) sides.push({ side: await openSide('baseline', path.resolve(baselineRoot)), timings: new Timings() });
    // Warm-up (JIT, caches), then measured rounds alternating between the sides.
    for (const s of sides) await round1(s.side, new Timings(), batch, -1);
    for (let r = 0; r < rounds; r++) {
      progress(`write-path: round ${r + 1}/${rounds}`);
      const order = r % 2 === 0 ? sides : [...sides].reverse();
      for (const s of order) await round1(s.side, s.timings, batch, r);
    }
  } finally {
    for (const s of sides) {
      await s.side.store.close();
      removeTempDir(s.side.dataDir);
    }
  }
  const current = sides[0].timings.perOp();
  const out: Figures = { unit: 'µs of synchronous CPU per write (median of rounds)', opsPerRound: batch, rounds, ...current };
  if (sides.length > 1) {
    const baseline = sides[1].timings.perOp();
    out.baseline = baseline;
    const ratio: Record<string, number> = {};
    for (const op of OPS) ratio[op] = round(current[op] / baseline[op], 2);
    out.ratio = ratio;
  }
  emit('write-path', out, loadAtStart);
  return out;
}

if (isMain(import.meta.url)) {
  benchWritePath().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
