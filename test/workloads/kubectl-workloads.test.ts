/**
 * Issue 3 acceptance with the real kubectl against `argosy cluster start` (controllers, scheduler,
 * local kubelet and networking all running): the guestbook rolls and rolls back, a Service
 * load-balances over real node processes and drops an unready one, Jobs run to completion or
 * failure with readable logs, a CronJob fires, deleting a Deployment leaves no process, and
 * SIGTERM leaves no child while a restart brings the workloads back.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ApiClient } from '../support/api-client.js';
import { REPO_ROOT, startClusterProcess, tempDir, type ClusterProcess } from '../support/cluster-process.js';
import { eventually, Kubectl } from '../support/kubectl.js';
import { descendantPids, isRunning, pidsWithMarker } from '../support/processes.js';

const CORPUS = path.resolve(REPO_ROOT, '../shared/corpus/argocd-example-apps/guestbook');
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/workloads');
const fixture = (name: string): string => path.join(FIXTURES, name);
const ECHO_MARKER = 'argosy-e2e-echo-marker';

interface PodLike {
  metadata: { name: string; deletionTimestamp?: string; labels?: Record<string, string>; ownerReferences?: { name: string }[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

const isReady = (p: PodLike): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

describe('workloads with kubectl', { concurrency: false }, () => {
  const dataDir = tempDir('workloads');
  let cluster: ClusterProcess;
  let api: ApiClient;
  let kubectl: Kubectl;
  const ns = ['-n', 'default'];

  before(async () => {
    cluster = await startClusterProcess(dataDir);
    api = new ApiClient(cluster.url, cluster.token, cluster.ca);
    kubectl = new Kubectl('1.35', cluster.kubeconfig);
    // The CronJob fires on the next minute boundary: create it first so the wait overlaps the other tests.
    await kubectl.ok(['apply', ...ns, '-f', fixture('cronjob.yaml')]);
  });

  after(async () => {
    await kubectl?.dispose();
    await cluster?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('the node is Ready and the guestbook rolls out', async () => {
    const nodes = await kubectl.ok(['get', 'nodes', '-o', 'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}']);
    assert.equal(nodes.trim(), 'True');
    await kubectl.ok(['apply', ...ns, '-f', CORPUS]);
    const status = await kubectl.ok(['rollout', 'status', ...ns, 'deployment/guestbook-ui', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.match(status, /successfully rolled out/);
    const pod = (await api.get<{ items: PodLike[] }>('/api/v1/namespaces/default/pods?labelSelector=app%3Dguestbook-ui')).body.items[0];
    assert.ok(isReady(pod), 'the simulated guestbook pod is Ready');
    const modes = (pod.metadata as { annotations?: Record<string, string> }).annotations?.['argosy.io/container-modes'];
    assert.match(modes ?? '', /simulated/, 'the pod says its container is simulated');
  });

  test('set image rolls within maxSurge/maxUnavailable, the old ReplicaSet ends at 0, undo goes back', async () => {
    await kubectl.ok(['scale', ...ns, 'deployment/guestbook-ui', '--replicas=4']);
    await kubectl.ok(['rollout', 'status', ...ns, 'deployment/guestbook-ui', '--timeout=60s'], { timeoutMs: 70_000 });
    const before = (await api.get<{ items: { metadata: { name: string } }[] }>('/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dguestbook-ui')).body.items;
    assert.equal(before.length, 1);
    const oldRs = before[0].metadata.name;

    // replicas 4 with the default 25%/25%: at most 5 pods, at least 3 available, at every moment.
    const pods = new Map<string, PodLike>();
    let maxTotal = 0;
    let minReady = Infinity;
    let watching = false;
    const list = await api.get<{ items: PodLike[]; metadata: { resourceVersion: string } }>('/api/v1/namespaces/default/pods?labelSelector=app%3Dguestbook-ui');
    for (const p of list.body.items) pods.set(p.metadata.name, p);
    const stop = api.follow<PodLike>(`/api/v1/namespaces/default/pods?watch=1&labelSelector=app%3Dguestbook-ui&resourceVersion=${list.body.metadata.resourceVersion}`, (e) => {
      if (e.type === 'DELETED') pods.delete(e.object.metadata.name);
      else pods.set(e.object.metadata.name, e.object);
      if (!watching) return;
      const live = [...pods.values()].filter((p) => !p.metadata.deletionTimestamp);
      maxTotal = Math.max(maxTotal, live.length);
      minReady = Math.min(minReady, live.filter(isReady).length);
    });
    try {
      watching = true;
      await kubectl.ok(['set', 'image', ...ns, 'deployment/guestbook-ui', 'guestbook-ui=gcr.io/google-samples/gb-frontend:v6']);
      await kubectl.ok(['rollout', 'status', ...ns, 'deployment/guestbook-ui', '--timeout=90s'], { timeoutMs: 100_000 });
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      stop();
    }
    assert.ok(maxTotal <= 5, `never more than replicas+maxSurge=5 pods (saw ${maxTotal})`);
    assert.ok(minReady >= 3, `never fewer than replicas-maxUnavailable=3 ready (saw ${minReady})`);
    const old = (await api.get<{ spec: { replicas: number }; status: { replicas: number } }>(`/apis/apps/v1/namespaces/default/replicasets/${oldRs}`)).body;
    assert.equal(old.spec.replicas, 0);
    const history = await kubectl.ok(['rollout', 'history', ...ns, 'deployment/guestbook-ui']);
    assert.match(history, /^1\s/m);
    assert.match(history, /^2\s/m);

    await kubectl.ok(['rollout', 'undo', ...ns, 'deployment/guestbook-ui']);
    await kubectl.ok(['rollout', 'status', ...ns, 'deployment/guestbook-ui', '--timeout=90s'], { timeoutMs: 100_000 });
    const image = await kubectl.ok(['get', ...ns, 'deployment/guestbook-ui', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);
    assert.equal(image, 'gcr.io/google-samples/gb-frontend:v5');
    const back = (await api.get<{ spec: { replicas: number }; metadata: { annotations: Record<string, string> } }>(`/apis/apps/v1/namespaces/default/replicasets/${oldRs}`)).body;
    assert.equal(back.spec.replicas, 4, 'undo re-uses the original ReplicaSet');
    assert.equal(back.metadata.annotations['deployment.kubernetes.io/revision'], '3');
  });

  test('a Service proxies to all ready replicas of a real HTTP server, and not to an unready one', async () => {
    await kubectl.ok(['apply', ...ns, '-f', fixture('echo-server.yaml')]);
    await kubectl.ok(['rollout', 'status', ...ns, 'deployment/echo', '--timeout=60s'], { timeoutMs: 70_000 });
    const proxy = '/api/v1/namespaces/default/services/echo:web/proxy/';
    const hits = async (n: number): Promise<Map<string, number>> => {
      const seen = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const r = await api.get(proxy);
        assert.equal(r.status, 200, r.text);
        const pod = r.text.split(' ')[1];
        seen.set(pod, (seen.get(pod) ?? 0) + 1);
      }
      return seen;
    };
    const all = await eventually('endpoints for all 3 pods', async () => {
      const seen = await hits(30);
      return seen.size === 3 ? seen : undefined;
    }, 20_000);
    assert.equal(all.size, 3);
    const seen = await hits(300);
    assert.equal(seen.size, 3, `300 requests reached ${[...seen.keys()].join(', ')}`);

    const victim = [...seen.keys()][0];
    const r = await api.get(`/api/v1/namespaces/default/pods/${victim}:8080/proxy/make-unready`);
    assert.equal(r.status, 200, r.text);
    await eventually('the unready pod to leave the endpoints', async () => {
      const ep = (await api.get<{ subsets?: { addresses?: { targetRef?: { name: string } }[] }[] }>('/api/v1/namespaces/default/endpoints/echo')).body;
      const names = (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.targetRef?.name));
      return names.length === 2 && !names.includes(victim);
    }, 20_000);
    const after = await hits(300);
    assert.equal(after.get(victim), undefined, 'the unready pod gets no requests');
    assert.equal(after.size, 2);
  });

  test('a Job writes to stdout and a volume; kubectl logs shows it; completions and failure give the right conditions', async () => {
    await kubectl.ok(['apply', ...ns, '-f', fixture('job.yaml'), '-f', fixture('failing-job.yaml')]);
    await kubectl.ok(['wait', ...ns, '--for=condition=complete', 'job/writer', '--timeout=60s'], { timeoutMs: 70_000 });
    const job = JSON.parse(await kubectl.ok(['get', ...ns, 'job/writer', '-o', 'json'])) as { status: { succeeded: number } };
    assert.equal(job.status.succeeded, 2);
    const logs = await kubectl.ok(['logs', ...ns, 'job/writer']);
    assert.match(logs, /job says hello\nprepared-by-init\nwritten/);
    const previous = await kubectl.fails(['logs', ...ns, 'job/writer', '--previous']);
    assert.match(previous.stderr, /previous terminated container "main" in pod "writer-\w+" not found/);

    await kubectl.ok(['wait', ...ns, '--for=condition=failed', 'job/fails', '--timeout=60s'], { timeoutMs: 70_000 });
    const failed = JSON.parse(await kubectl.ok(['get', ...ns, 'job/fails', '-o', 'json'])) as { status: { failed: number; conditions: { type: string; reason: string }[] } };
    assert.equal(failed.status.failed, 2, 'backoffLimit 1 allows two attempts');
    assert.equal(failed.status.conditions.find((c) => c.type === 'Failed')?.reason, 'BackoffLimitExceeded');
    assert.match(await kubectl.ok(['logs', ...ns, 'job/fails']), /about to fail/);
  });

  test('deleting a Deployment removes its ReplicaSets, pods and processes', async () => {
    assert.ok(pidsWithMarker(ECHO_MARKER).length >= 3, 'the echo servers run as host processes');
    await kubectl.ok(['delete', ...ns, 'deployment/echo', '--timeout=60s'], { timeoutMs: 70_000 });
    await eventually('ReplicaSets and pods gone', async () => {
      const rs = (await api.get<{ items: unknown[] }>('/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Decho')).body.items;
      const pods = (await api.get<{ items: unknown[] }>('/api/v1/namespaces/default/pods?labelSelector=app%3Decho')).body.items;
      return rs.length === 0 && pods.length === 0;
    }, 30_000);
    await eventually('no echo process left', () => Promise.resolve(pidsWithMarker(ECHO_MARKER).length === 0), 10_000);
  });

  test('a StatefulSet rolls out in order with bound claims that outlive its pods', async () => {
    await kubectl.ok(['apply', ...ns, '-f', fixture('statefulset.yaml')]);
    await kubectl.ok(['rollout', 'status', ...ns, 'statefulset/db', '--timeout=60s'], { timeoutMs: 70_000 });
    const pvcs = JSON.parse(await kubectl.ok(['get', ...ns, 'pvc', '-o', 'json'])) as { items: { metadata: { name: string }; status: { phase: string } }[] };
    assert.deepEqual(pvcs.items.map((p) => `${p.metadata.name}=${p.status.phase}`).sort(), ['data-db-0=Bound', 'data-db-1=Bound']);
    assert.match(await kubectl.ok(['logs', ...ns, 'db-0']), /^started-db-0$/m);
    await kubectl.ok(['delete', ...ns, 'pod/db-0', '--timeout=30s'], { timeoutMs: 40_000 });
    await kubectl.ok(['rollout', 'status', ...ns, 'statefulset/db', '--timeout=60s'], { timeoutMs: 70_000 });
    const logs = await eventually('the recreated db-0 to log', async () => {
      const r = await kubectl.run(['logs', ...ns, 'db-0']);
      return r.code === 0 && /started-db-0\nstarted-db-0/.test(r.stdout) ? r.stdout : undefined;
    }, 30_000);
    assert.match(logs, /started-db-0\nstarted-db-0/, 'the new pod sees what the old one wrote on the same claim');
    await kubectl.ok(['delete', ...ns, '-f', fixture('statefulset.yaml'), '--timeout=60s'], { timeoutMs: 70_000 });
  });

  test('a command that is not on the host leaves the container waiting with a reason naming command and image', async () => {
    await kubectl.ok(['apply', ...ns, '-f', fixture('bad-command.yaml')]);
    const waiting = await eventually('the container to wait with CreateContainerError', async () => {
      const pod = JSON.parse(await kubectl.ok(['get', ...ns, 'pod/bad-command', '-o', 'json'])) as { status: { containerStatuses?: { state: { waiting?: { reason: string; message: string } } }[] } };
      const w = pod.status.containerStatuses?.[0]?.state.waiting;
      return w?.reason === 'CreateContainerError' ? w : undefined;
    }, 20_000);
    assert.match(waiting.message, /no-such-command-here/);
    assert.match(waiting.message, /alpine:3\.20/);
    assert.match(await kubectl.ok(['get', ...ns, 'pod/bad-command']), /CreateContainerError/);
    await kubectl.ok(['delete', ...ns, 'pod/bad-command', '--timeout=30s'], { timeoutMs: 40_000 });
  });

  test('the CronJob schedules a run', async () => {
    const job = await eventually('a Job created by the CronJob', async () => {
      const jobs = (await api.get<{ items: { metadata: { name: string; ownerReferences?: { kind: string; name: string }[] } }[] }>('/apis/batch/v1/namespaces/default/jobs')).body.items;
      return jobs.find((j) => j.metadata.ownerReferences?.some((o) => o.kind === 'CronJob' && o.name === 'tick'));
    }, 75_000);
    assert.match(job.metadata.name, /^tick-\d+$/);
    await kubectl.ok(['wait', ...ns, '--for=condition=complete', `job/${job.metadata.name}`, '--timeout=60s'], { timeoutMs: 70_000 });
    const cj = JSON.parse(await kubectl.ok(['get', ...ns, 'cronjob/tick', '-o', 'json'])) as { status: { lastScheduleTime?: string } };
    assert.ok(cj.status.lastScheduleTime);
  });

  test('SIGTERM leaves no child process; a restart brings the workloads back to Ready', async () => {
    await kubectl.ok(['apply', ...ns, '-f', fixture('echo-server.yaml')]);
    await kubectl.ok(['rollout', 'status', ...ns, 'deployment/echo', '--timeout=60s'], { timeoutMs: 70_000 });
    const children = descendantPids(cluster.child.pid!);
    assert.ok(children.length >= 3, `the cluster runs pod processes (found ${children.length})`);
    assert.equal(await cluster.stop('SIGTERM'), 0);
    const cmdline = (pid: number): string => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').slice(0, 120);
      } catch {
        return '(gone)';
      }
    };
    const alive = children.filter(isRunning).map((pid) => `${pid} ${cmdline(pid)}`);
    assert.deepEqual(alive, [], 'no process outlives the cluster');
    assert.equal(pidsWithMarker(ECHO_MARKER).length, 0);

    cluster = await startClusterProcess(dataDir);
    api = new ApiClient(cluster.url, cluster.token, cluster.ca);
    await kubectl.dispose();
    kubectl = new Kubectl('1.35', cluster.kubeconfig);
    await eventually('echo and guestbook Ready again', async () => {
      const pods = (await api.get<{ items: PodLike[] }>('/api/v1/namespaces/default/pods')).body.items.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running');
      const ready = (app: string): number => pods.filter((p) => p.metadata.labels?.app === app && isReady(p)).length;
      // The stored status still says Ready from before the stop: count only containers the new kubelet restarted.
      const restarted = pods.filter((p) => p.metadata.labels?.app === 'echo' && isReady(p) && (p.status as { containerStatuses?: { restartCount: number }[] }).containerStatuses?.[0]?.restartCount).length;
      return restarted === 3 && ready('echo') === 3 && ready('guestbook-ui') === 4;
    }, 60_000);
    assert.ok(pidsWithMarker(ECHO_MARKER).length >= 3, 'the echo servers run again');
    await kubectl.ok(['rollout', 'status', ...ns, 'deployment/echo', '--timeout=30s'], { timeoutMs: 40_000 });
    await eventually('the Service to answer through the proxy', async () => (await api.get('/api/v1/namespaces/default/services/echo:web/proxy/')).status === 200, 20_000);
  });
});
