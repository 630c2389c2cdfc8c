/**
 * What a container sees inside its sandbox (environment, hostname, files, interpreters), and how
 * configuration and volume problems show and heal; logs followed as they are written.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { PodLogOptions } from '../api/pod-log.js';
import { boundPod, startHarness, type Harness } from './test-harness.js';
import type { ContainerStatus } from './types.js';

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

describe('kubelet containers', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default' }, spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443 }] } });
  });
  after(async () => {
    await h.dispose();
  });

  test('what a container sees: environment, hostname, /etc/hosts, private /tmp, read-only root', { skip: !sandboxed }, async () => {
    fs.writeFileSync('/tmp/argosy-kubelet-host-only', 'x');
    try {
      await h.create(
        boundPod('env', {
          restartPolicy: 'Never',
          hostname: 'box',
          containers: [
            {
              name: 'c',
              image: 'busybox',
              workingDir: '/usr',
              env: [
                { name: 'GREETING', value: 'hello' },
                { name: 'MSG', value: '$(GREETING) world' },
                { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              ],
              command: ['sh', '-c'],
              args: [
                `echo "$MSG|$POD|$HOSTNAME|$(hostname)|$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT|$(pwd)|"'$$(GREETING)'; grep box /etc/hosts; ls /tmp/argosy-kubelet-host-only 2>/dev/null || echo private-tmp; touch /x 2>/dev/null || echo read-only`,
              ],
            },
          ],
        }),
      );
      await succeeded(h, 'env');
      assert.equal(await logText(h, 'env'), 'hello world|env|box|box|10.96.0.1:443|/usr|$(GREETING)\n127.0.0.1\tbox\nprivate-tmp\nread-only\n');
    } finally {
      fs.rmSync('/tmp/argosy-kubelet-host-only', { force: true });
    }
  });

  test('python and node images run the host interpreters, also under their short names', async () => {
    await h.create(boundPod('py', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'python:3.12-slim', command: ['python', '-c', 'print(6*7)'] }] }));
    await h.create(boundPod('js', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'node:20', args: ['node', '-e', 'console.log("node", 1+1)'] }] }));
    await succeeded(h, 'py');
    await succeeded(h, 'js');
    assert.equal(await logText(h, 'py'), '42\n');
    assert.equal(await logText(h, 'js'), 'node 2\n');
  });

  test('a missing ConfigMap key is CreateContainerConfigError until the ConfigMap appears', async () => {
    await h.create(
      boundPod('cfgerr', {
        restartPolicy: 'Never',
        containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo $LEVEL'], env: [{ name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'late', key: 'level' } } }] }],
      }),
    );
    const waiting = await h.waitFor('config error', () => {
      const w = status(h, 'cfgerr')?.state.waiting;
      return w?.reason === 'CreateContainerConfigError' ? w : undefined;
    });
    assert.equal(waiting.message, 'configmap "late" not found');
    assert.ok(h.events('cfgerr').some((e) => e.reason === 'Failed' && e.message === 'Error: configmap "late" not found'));
    await h.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: 'default' }, data: { level: 'debug' } });
    await succeeded(h, 'cfgerr');
    assert.equal(await logText(h, 'cfgerr'), 'debug\n');
  });

  test('a volume the kubelet cannot mount keeps the pod Pending with FailedMount', async () => {
    await h.create(boundPod('nfs', { volumes: [{ name: 'share', nfs: { server: 'nfs.local', path: '/x' } }], containers: [{ name: 'c', image: 'busybox', command: ['true'], volumeMounts: [{ name: 'share', mountPath: '/share' }] }] }));
    const cond = await h.waitFor('condition', () => h.status('nfs').conditions?.find((c) => c.type === 'PodReadyToStartContainers' && c.reason === 'FailedMount'));
    assert.match(cond.message ?? '', /^MountVolume\.SetUp failed for volume "share" : volume source "nfs" is not supported/);
    assert.equal(h.status('nfs').phase, 'Pending');
    assert.equal(status(h, 'nfs')?.state.waiting?.reason, 'ContainerCreating');
    assert.ok(h.events('nfs').some((e) => e.reason === 'FailedMount' && e.type === 'Warning'));
  });

  test('logs can be followed until the container ends', async () => {
    await h.create(boundPod('chatty', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'for i in 1 2 3; do echo tick $i; sleep 0.2; done'] }] }));
    await h.waitFor('running', () => status(h, 'chatty')?.state.running);
    const follow = logs(h, 'chatty', { follow: true });
    await follow.done;
    assert.equal(follow.text(), 'tick 1\ntick 2\ntick 3\n');
    assert.equal(await logText(h, 'chatty', { tailLines: 1 }), 'tick 3\n');
  });

});
