/**
 * The kubelet end to end against a real store and ResourceService: pods created already bound to
 * the node really run (bubblewrap where available), and their statuses, events, logs and clean-up
 * are checked as a user of kubectl would see them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { PodLogOptions } from '../api/pod-log.js';
import { boundPod, processesWith, startHarness, type Harness } from './test-harness.js';
import type { ContainerStatus } from './types.js';

/** Volumes are mounted at their mountPath only inside a sandbox. */
const sandboxed = fs.existsSync('/usr/bin/bwrap');

function containerStatus(h: Harness, pod: string, name?: string): ContainerStatus | undefined {
  const statuses = h.status(pod).containerStatuses ?? [];
  return name ? statuses.find((s) => s.name === name) : statuses[0];
}

async function readLogs(h: Harness, pod: string, options: Partial<PodLogOptions> = {}): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const obj = h.pod(pod)!;
  const container = options.container ?? ((obj.spec as { containers: { name: string }[] }).containers[0].name);
  await h.kubelet.logSource.stream(obj, { container, follow: false, previous: false, timestamps: false, ...options }, out as unknown as ServerResponse, new AbortController().signal);
  return text;
}

describe('kubelet', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.dispose();
  });

  test('a failing busybox pod ends Failed with its exit code and its output in the log', async () => {
    await h.create(boundPod('fail', { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36', command: ['sh', '-c', 'echo hi; exit 3'] }] }));
    await h.waitFor('pod fail to be Failed', () => h.status('fail').phase === 'Failed');
    const s = containerStatus(h, 'fail')!;
    assert.equal(s.state.terminated?.exitCode, 3);
    assert.equal(s.state.terminated?.reason, 'Error');
    assert.equal(s.restartCount, 0);
    assert.match(s.containerID ?? '', /^argosy:\/\/[0-9a-f]{64}$/);
    assert.equal(h.status('fail').podIP, '127.0.0.1');
    assert.ok(h.status('fail').startTime);
    const ready = h.status('fail').conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'PodFailed');
    assert.equal(await readLogs(h, 'fail'), 'hi\n');
    assert.deepEqual(JSON.parse(h.pod('fail')!.metadata.annotations?.['argosy.io/container-modes'] ?? '{}'), { main: 'host' });
    await assert.rejects(readLogs(h, 'fail', { previous: true }), /previous terminated container "main" in pod "fail" not found/);
  });

  test('restartPolicy Always restarts with a growing restartCount and CrashLoopBackOff', async () => {
    await h.create(boundPod('crash', { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo run; exit 1'] }] }));
    await h.waitFor('CrashLoopBackOff', () => {
      const s = containerStatus(h, 'crash');
      return s && s.restartCount >= 2 && s.state.waiting?.reason === 'CrashLoopBackOff' ? s : undefined;
    });
    const s = containerStatus(h, 'crash')!;
    assert.match(s.state.waiting!.message!, /^back-off \d+ms restarting failed container=c pod=crash_default\(.+\)$/);
    assert.equal(s.lastState.terminated?.exitCode, 1);
    assert.equal(h.status('crash').phase, 'Running');
    assert.ok(h.events('crash').some((e) => e.reason === 'BackOff' && e.type === 'Warning'));
    assert.equal(await readLogs(h, 'crash', { previous: true }), 'run\n');
  });

  test('an httpGet readiness probe against a real server flips the pod Ready', async () => {
    let healthy = false;
    const server = http.createServer((_req, res) => {
      res.statusCode = healthy ? 200 : 503;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      await h.create(
        boundPod('probed', {
          containers: [{ name: 'app', image: 'busybox', command: ['sleep', '60'], readinessProbe: { httpGet: { port, path: '/healthz' }, periodSeconds: 1 } }],
        }),
      );
      await h.waitFor('Running', () => h.status('probed').phase === 'Running');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(h.status('probed').conditions?.find((c) => c.type === 'Ready')?.status, 'False');
      assert.equal(containerStatus(h, 'probed')?.ready, false);
      healthy = true;
      await h.waitFor('Ready', () => h.status('probed').conditions?.find((c) => c.type === 'Ready')?.status === 'True', 5000);
      assert.equal(containerStatus(h, 'probed')?.ready, true);
      assert.ok(h.events('probed').some((e) => e.reason === 'Unhealthy' && e.message.startsWith('Readiness probe failed: HTTP probe failed with statuscode: 503')));
    } finally {
      server.close();
    }
  });

  test('a command that is not on the host is CreateContainerError naming the command and the image', async () => {
    await h.create(boundPod('nocmd', { containers: [{ name: 'c', image: 'busybox:1.36', command: ['no-such-command-xyz'] }] }));
    const s = await h.waitFor('CreateContainerError', () => {
      const cs = containerStatus(h, 'nocmd');
      return cs?.state.waiting?.reason === 'CreateContainerError' ? cs : undefined;
    });
    assert.equal(s.state.waiting?.message, 'exec: "no-such-command-xyz": executable file not found in $PATH (image "busybox:1.36")');
    assert.equal(h.status('nocmd').phase, 'Pending');
    await h.waitFor('a Failed event', () => h.events('nocmd').some((e) => e.reason === 'Failed' && e.message.includes('no-such-command-xyz')));
  });

  test('deleting a pod stops its processes, finishes the deletion and removes its directory', async () => {
    const marker = `marker-${process.pid}-${Date.now()}`;
    await h.create(boundPod('victim', { terminationGracePeriodSeconds: 5, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', `sleep 1000; echo ${marker}`] }] }));
    await h.waitFor('running', () => containerStatus(h, 'victim')?.state.running);
    await h.waitFor('process', () => processesWith(marker).length > 0);
    const uid = h.pod('victim')!.metadata.uid!;
    const podType = h.registry.lookup('', 'v1', 'pods')!;
    await h.service.delete({ type: podType, namespace: 'default', user: { name: 'test', groups: ['system:masters'] } }, 'victim');
    await h.waitFor('pod gone', () => h.pod('victim') === undefined, 5000);
    await h.waitFor('processes gone', () => processesWith(marker).length === 0, 3000);
    await h.waitFor('pod dir removed', () => !fs.existsSync(`${h.dir}/kubelet/pods/${uid}`), 3000);
  });

  test('configMap volume and an emptyDir shared by an init container and the main container', { skip: !sandboxed }, async () => {
    await h.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { greeting: 'hello from configmap' } });
    await h.create(
      boundPod('vols', {
        restartPolicy: 'Never',
        volumes: [{ name: 'config', configMap: { name: 'cfg' } }, { name: 'shared', emptyDir: {} }],
        initContainers: [{ name: 'prep', image: 'busybox', command: ['sh', '-c', 'echo from-init > /work/note'], volumeMounts: [{ name: 'shared', mountPath: '/work' }] }],
        containers: [
          {
            name: 'main',
            image: 'busybox',
            command: ['sh', '-c', 'cat /etc/config/greeting; echo; cat /work/note'],
            volumeMounts: [
              { name: 'config', mountPath: '/etc/config' },
              { name: 'shared', mountPath: '/work' },
            ],
          },
        ],
      }),
    );
    await h.waitFor('Succeeded', () => {
      const phase = h.status('vols').phase;
      if (phase === 'Failed') throw new Error(`pod failed: ${JSON.stringify(h.status('vols'))}`);
      return phase === 'Succeeded';
    });
    assert.equal(await readLogs(h, 'vols'), 'hello from configmap\nfrom-init\n');
    assert.equal(h.status('vols').initContainerStatuses?.[0].state.terminated?.reason, 'Completed');
    assert.equal(h.status('vols').conditions?.find((c) => c.type === 'Initialized')?.status, 'True');
  });

  test('an unknown image in a Deployment-style pod is simulated and becomes Ready', async () => {
    await h.create(boundPod('sim', { containers: [{ name: 'web', image: 'nginx:1.25' }] }));
    await h.waitFor('Ready', () => h.status('sim').conditions?.find((c) => c.type === 'Ready')?.status === 'True');
    const s = containerStatus(h, 'sim')!;
    assert.ok(s.state.running);
    assert.equal(s.started, true);
    assert.equal(h.status('sim').phase, 'Running');
    await h.waitFor('modes annotation', () => h.pod('sim')!.metadata.annotations?.['argosy.io/container-modes'] === '{"web":"simulated"}');
    assert.ok(h.events('sim').some((e) => e.reason === 'Simulated' && e.message.includes('nginx:1.25')));
  });

  test('an unknown image in a run-to-completion pod fails, naming the image', async () => {
    await h.create(boundPod('unknown', { restartPolicy: 'Never', containers: [{ name: 'job', image: 'example.com/tool:2' }] }));
    await h.waitFor('Failed', () => h.status('unknown').phase === 'Failed');
    const t = containerStatus(h, 'unknown')!.state.terminated!;
    assert.equal(t.exitCode, 128);
    assert.equal(t.reason, 'ImageNotInProfile');
    assert.match(t.message ?? '', /"example\.com\/tool:2"/);
  });
});
