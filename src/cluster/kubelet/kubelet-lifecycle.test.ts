/**
 * The kubelet's pod lifecycle beyond the basics: liveness and deadlines, sidecars, spec changes, a
 * kubelet restart that adopts the pods it ran before, and a stop that leaves nothing running.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { clone } from '../builtin/util.js';
import { systemScope } from '../controllers/system-scope.js';
import type { PodLogOptions } from '../api/pod-log.js';
import { boundPod, processesWith, startHarness, type Harness } from './test-harness.js';
import type { ContainerStatus } from './types.js';

/** Volumes are mounted at their mountPath only inside a sandbox. */
const sandboxed = fs.existsSync('/usr/bin/bwrap');

function status(h: Harness, pod: string, container?: string): ContainerStatus | undefined {
  const all = [...(h.status(pod).initContainerStatuses ?? []), ...(h.status(pod).containerStatuses ?? [])];
  return container ? all.find((s) => s.name === container) : all[all.length - 1];
}

function logs(h: Harness, pod: string, options: Partial<PodLogOptions> = {}, signal = new AbortController().signal): { text: () => string; done: Promise<void> } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const obj = h.pod(pod)!;
  const container = options.container ?? (obj.spec as { containers: { name: string }[] }).containers[0].name;
  const done = h.kubelet.logSource.stream(obj, { container, follow: false, previous: false, timestamps: false, ...options }, out as unknown as ServerResponse, signal);
  return { text: () => text, done };
}

async function logText(h: Harness, pod: string, options: Partial<PodLogOptions> = {}): Promise<string> {
  const l = logs(h, pod, options);
  await l.done;
  return l.text();
}

async function succeeded(h: Harness, pod: string): Promise<void> {
  await h.waitFor(`${pod} to succeed`, () => {
    const phase = h.status(pod).phase;
    if (phase === 'Failed') throw new Error(`${pod} failed: ${JSON.stringify(h.status(pod).containerStatuses)}`);
    return phase === 'Succeeded';
  });
}

// Independent pods on one kubelet: the tests run side by side.
describe('kubelet lifecycle', { concurrency: true }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.dispose();
  });

  test('a failing exec liveness probe (run inside the container) restarts the container', async () => {
    await h.create(
      boundPod('live', {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'c',
            image: 'busybox',
            command: ['sh', '-c', 'touch /tmp/healthy; sleep 1; rm /tmp/healthy; sleep 600'],
            livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 1, failureThreshold: 1 },
          },
        ],
      }),
    );
    const s = await h.waitFor('a liveness restart', () => {
      const c = status(h, 'live');
      return c && c.restartCount >= 1 ? c : undefined;
    }, 10_000);
    assert.ok(s.lastState.terminated, 'the killed run is the last state');
    const events = h.events('live');
    assert.ok(events.some((e) => e.reason === 'Unhealthy' && /^Liveness probe failed: cat: .*healthy/.test(e.message)), JSON.stringify(events));
    assert.ok(events.some((e) => e.reason === 'Killing' && e.message === 'Container c failed liveness probe, will be restarted'));
  });

  test('activeDeadlineSeconds fails the pod with DeadlineExceeded', async () => {
    await h.create(boundPod('deadline', { activeDeadlineSeconds: 1, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '600'] }] }));
    await h.waitFor('DeadlineExceeded', () => h.status('deadline').phase === 'Failed', 6000);
    assert.equal(h.status('deadline').reason, 'DeadlineExceeded');
    assert.equal(h.status('deadline').message, 'Pod was active on the node longer than the specified deadline');
    assert.ok(status(h, 'deadline')?.state.terminated);
  });

  test('a sidecar starts (startup probe) before the main container and is stopped once it is done', { skip: !sandboxed }, async () => {
    await h.create(
      boundPod('sidecar', {
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 2,
        volumes: [{ name: 'shared', emptyDir: {} }],
        initContainers: [
          {
            name: 'proxy',
            image: 'busybox',
            restartPolicy: 'Always',
            command: ['sh', '-c', 'sleep 0.3; echo up > /shared/proxy; exec sleep 600'],
            // The main container starts only once the sidecar has started, as its startup probe says.
            startupProbe: { exec: { command: ['test', '-f', '/shared/proxy'] }, periodSeconds: 1, failureThreshold: 5 },
            volumeMounts: [{ name: 'shared', mountPath: '/shared' }],
          },
        ],
        containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'cat /shared/proxy'], volumeMounts: [{ name: 'shared', mountPath: '/shared' }] }],
      }),
    );
    await succeeded(h, 'sidecar');
    assert.equal(await logText(h, 'sidecar', { container: 'main' }), 'up\n');
    assert.ok(status(h, 'sidecar', 'proxy')?.state.terminated, 'the sidecar was stopped');
  });

  test('changing a container image restarts it with the new one', async () => {
    await h.create(boundPod('swap', { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '600'] }] }));
    await h.waitFor('running', () => status(h, 'swap')?.state.running);
    const podType = h.registry.lookup('', 'v1', 'pods')!;
    const next = clone(h.pod('swap')!);
    (next.spec as { containers: { image: string }[] }).containers[0].image = 'alpine:3.20';
    await h.service.update(systemScope(podType, 'default', 'test'), 'swap', next);
    const s = await h.waitFor('restarted', () => {
      const c = status(h, 'swap');
      return c?.restartCount === 1 && c.state.running ? c : undefined;
    });
    assert.equal(s.image, 'alpine:3.20');
    assert.ok(h.events('swap').some((e) => e.message === 'Container c definition changed, will be restarted'));
  });
});

describe('kubelet restart', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.dispose();
  });

  test('after a kubelet restart, running containers are restarted and simulated ones keep running', async () => {
    const marker = `adopt-${process.pid}-${Date.now()}`;
    await h.create(boundPod('keeper', { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', `echo ${marker}; sleep 600`] }] }));
    await h.create(boundPod('once', { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '600'] }] }));
    await h.create(boundPod('ghost', { containers: [{ name: 'web', image: 'nginx' }] }));
    await h.waitFor('all up', () => status(h, 'keeper')?.state.running && status(h, 'once')?.state.running && status(h, 'ghost')?.ready);
    await h.kubelet.settled();
    const ghostBefore = clone(status(h, 'ghost')!);
    await h.restartKubelet();
    const keeper = await h.waitFor('keeper restarted', () => {
      const c = status(h, 'keeper');
      return c?.restartCount === 1 && c.state.running ? c : undefined;
    });
    assert.equal(keeper.lastState.terminated?.reason, 'ContainerStatusUnknown');
    assert.equal(keeper.lastState.terminated?.exitCode, 137);
    await h.waitFor('once failed', () => h.status('once').phase === 'Failed');
    assert.equal(status(h, 'once')?.state.terminated?.reason, 'ContainerStatusUnknown');
    await h.kubelet.settled();
    assert.deepEqual(status(h, 'ghost'), ghostBefore);
    assert.equal(await logText(h, 'keeper', { previous: true }), `${marker}\n`);
  });
});

describe('kubelet stop', () => {
  test('leaves no container process behind', async () => {
    const h = await startHarness();
    const marker = `stop-${process.pid}-${Date.now()}`;
    try {
      await h.create(boundPod('bg', { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', `trap "" TERM; sleep 600 & echo ${marker}; wait`] }] }));
      await h.create(boundPod('plain', { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', `sleep 601; echo ${marker}`] }] }));
      await h.waitFor('processes', () => processesWith(marker).length >= 2);
      const t0 = Date.now();
      await h.kubelet.stop();
      assert.deepEqual(processesWith(marker), []);
      assert.ok(Date.now() - t0 < 5000);
    } finally {
      await h.dispose();
    }
  });
});
