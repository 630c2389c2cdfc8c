/**
 * Workload benchmarks on a real `argosy cluster start` (controllers, scheduler, kubelet, network):
 * - kubelet-pods: a Job of 1,000 completions of `true` (busybox, run on the host in a sandbox) with
 *   parallelism 50 and then 200: time from create to the Complete condition, and pods per second.
 *   Goal ≥ 100 pods/s on 2 cores.
 * - deployment-ready: a 100-replica Deployment of an image the kubelet simulates, from create to
 *   Available=True with 100 available replicas. Goal < 5 s.
 * - simulated-pods-rss: peak RSS of the cluster process once 1,000 simulated pods are Running and
 *   Ready. Goal < 500 MB.
 */
import { makeTempDir, removeTempDir } from './lib/cleanup.js';
import { HttpClient } from './lib/http-client.js';
import { isMain } from './lib/main.js';
import { createNamespace } from './lib/objects.js';
import { emit, hostLoad, progress, type Figures } from './lib/report.js';
import { cpuMsOf, memoryOf, startServer, waitReady, type ServerProcess } from './lib/server.js';
import { round, scaled } from './lib/stats.js';

const NS = 'bench-workloads';

async function withServer<T>(name: string, fn: (server: ServerProcess, client: HttpClient) => Promise<T>): Promise<T> {
  const dataDir = makeTempDir(name);
  const server = await startServer(dataDir);
  try {
    await waitReady(server);
    const client = new HttpClient(server.url, server.token, 8, server.ca);
    await createNamespace(client, NS);
    return await fn(server, client);
  } finally {
    await server.stop();
    removeTempDir(dataDir);
  }
}

async function getJson<T>(client: HttpClient, path: string): Promise<T> {
  const res = await client.ok('GET', path);
  return JSON.parse(res.body.toString('utf8')) as T;
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<{ value: T; at: number }> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return { value, at: performance.now() };
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface JobStatus {
  status?: { succeeded?: number; failed?: number; conditions?: { type: string; status: string }[] };
}

async function runJob(client: HttpClient, server: ServerProcess, completions: number, parallelism: number): Promise<Figures> {
  const name = `true-p${parallelism}`;
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: NS },
    spec: {
      completions,
      parallelism,
      backoffLimit: 0,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36', command: ['true'] }] } },
    },
  };
  const cpu0 = cpuMsOf(server.pid);
  const t0 = performance.now();
  await client.ok('POST', `/apis/batch/v1/namespaces/${NS}/jobs`, JSON.stringify(job));
  const { value, at } = await waitFor(`Job ${name} to finish`, 600_000, async () => {
    const j = await getJson<JobStatus>(client, `/apis/batch/v1/namespaces/${NS}/jobs/${name}`);
    const done = j.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    return done ? { condition: done.type, succeeded: j.status?.succeeded ?? 0, failed: j.status?.failed ?? 0 } : undefined;
  });
  const seconds = (at - t0) / 1000;
  if (value.condition !== 'Complete') throw new Error(`Job ${name} ended ${value.condition} (succeeded ${value.succeeded}, failed ${value.failed})`);
  // Leave the next run a clean node: delete the Job and wait for its pods to go.
  await client.ok('DELETE', `/apis/batch/v1/namespaces/${NS}/jobs/${name}`, JSON.stringify({ propagationPolicy: 'Background' }));
  await waitFor(`pods of ${name} to be deleted`, 300_000, async () => {
    const pods = await getJson<{ items: unknown[] }>(client, `/api/v1/namespaces/${NS}/pods?labelSelector=job-name%3D${name}&limit=1`);
    return pods.items.length === 0 ? true : undefined;
  });
  return {
    completions,
    parallelism,
    secondsToComplete: round(seconds, 2),
    podsPerSecond: round(completions / seconds, 1),
    serverCpuMsPerPod: round((cpuMsOf(server.pid) - cpu0) / completions, 2),
  };
}

export async function benchKubeletPods(): Promise<Figures> {
  const loadAtStart = hostLoad();
  const completions = scaled(1_000, 20);
  const figures = await withServer('kubelet', async (server, client) => {
    progress(`kubelet-pods: Job of ${completions} completions, parallelism 50`);
    const p50 = await runJob(client, server, completions, 50);
    progress(`kubelet-pods: Job of ${completions} completions, parallelism 200`);
    const p200 = await runJob(client, server, completions, 200);
    return { parallelism50: p50, parallelism200: p200 };
  });
  const worst = Math.min(figures.parallelism50.podsPerSecond as number, figures.parallelism200.podsPerSecond as number);
  const out = { ...figures, goalPodsPerSecond: 100, goalMet: worst >= 100 };
  emit('kubelet-pods', out, loadAtStart);
  return out;
}

interface DeploymentStatus {
  status?: { availableReplicas?: number; conditions?: { type: string; status: string }[] };
}

function simulatedDeployment(name: string, replicas: number): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image: 'registry.example/company/service:1.0', ports: [{ containerPort: 8080 }] }] },
      },
    },
  });
}

async function deployAndWaitAvailable(client: HttpClient, name: string, replicas: number): Promise<number> {
  const t0 = performance.now();
  await client.ok('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, simulatedDeployment(name, replicas));
  const { at } = await waitFor(`Deployment ${name} Available with ${replicas} replicas`, 600_000, async () => {
    const d = await getJson<DeploymentStatus>(client, `/apis/apps/v1/namespaces/${NS}/deployments/${name}`);
    const available = d.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True');
    return available && d.status?.availableReplicas === replicas ? true : undefined;
  });
  return at - t0;
}

export async function benchDeploymentReady(): Promise<Figures> {
  const loadAtStart = hostLoad();
  const replicas = scaled(100, 10);
  const ms = await withServer('deploy', (_server, client) => {
    progress(`deployment-ready: ${replicas} simulated replicas`);
    return deployAndWaitAvailable(client, 'sim', replicas);
  });
  const out = { replicas, secondsToAvailable: round(ms / 1000, 2), goalSeconds: 5, goalMet: ms < 5_000 };
  emit('deployment-ready', out, loadAtStart);
  return out;
}

export async function benchSimulatedPodsRss(): Promise<Figures> {
  const loadAtStart = hostLoad();
  const replicas = scaled(1_000, 50);
  const out = await withServer('rss', async (server, client) => {
    progress(`simulated-pods-rss: ${replicas} simulated pods`);
    const ms = await deployAndWaitAvailable(client, 'many', replicas);
    const mem = memoryOf(server.pid);
    return { pods: replicas, secondsToAvailable: round(ms / 1000, 2), peakRssMiB: mem.peakRssMiB, rssMiB: mem.rssMiB, goalPeakRssMB: 500, goalMet: mem.peakRssMiB * 1.048576 < 500 };
  });
  emit('simulated-pods-rss', out, loadAtStart);
  return out;
}

if (isMain(import.meta.url)) {
  await benchKubeletPods();
  await benchDeploymentReady();
  await benchSimulatedPodsRss();
}
