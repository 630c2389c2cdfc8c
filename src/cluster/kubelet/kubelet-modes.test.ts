/**
 * The kubelet's two other ways of running pods: in a network namespace of their own (entered with
 * nsenter before bwrap), and without any sandbox (plain process groups, where bubblewrap is not
 * available).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import type { PodNetwork, PodSandbox } from '../network/pod-network.js';
import { boundPod, processesWith, startHarness, type Harness } from './test-harness.js';

async function logText(h: Harness, pod: string): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  await h.kubelet.logSource.stream(h.pod(pod)!, { container: 'c', follow: false, previous: false, timestamps: false }, out as unknown as ServerResponse, new AbortController().signal);
  return text;
}

/** Each pod gets a bare network namespace with only loopback (what matters here is entering it). */
class LoopbackNamespaces implements PodNetwork {
  readonly mode = 'namespaced' as const;
  readonly nodeIP = '127.0.0.1';
  readonly created = new Set<string>();
  readonly tornDown: string[] = [];

  private name(uid: string): string {
    return `argosy-kt-${uid.slice(0, 8)}`;
  }

  setup(pod: { uid: string }): Promise<PodSandbox> {
    const name = this.name(pod.uid);
    if (!this.created.has(name)) {
      execFileSync('ip', ['netns', 'add', name]);
      execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
      this.created.add(name);
    }
    return Promise.resolve({ ip: '127.0.0.1', netnsPath: `/run/netns/${name}`, resolvConf: 'nameserver 10.96.0.10\nsearch default.svc.cluster.local\n' });
  }

  teardown(uid: string): Promise<void> {
    const name = this.name(uid);
    this.tornDown.push(uid);
    if (this.created.delete(name)) execFileSync('ip', ['netns', 'delete', name]);
    return Promise.resolve();
  }

  async close(): Promise<void> {
    for (const name of this.created) execFileSync('ip', ['netns', 'delete', name]);
    this.created.clear();
  }
}

const canNamespace = (() => {
  if (!fs.existsSync('/usr/bin/bwrap') || process.getuid?.() !== 0) return false;
  try {
    execFileSync('ip', ['netns', 'add', 'argosy-kt-check']);
    execFileSync('ip', ['netns', 'delete', 'argosy-kt-check']);
    return true;
  } catch {
    return false;
  }
})();

describe('a pod in its own network namespace', { skip: !canNamespace }, () => {
  test('sees only its namespace, gets its resolv.conf, and the namespace is released when it finishes', async () => {
    const network = new LoopbackNamespaces();
    const h = await startHarness({ network });
    try {
      await h.create(boundPod('netns', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "; cat /etc/resolv.conf'] }] }));
      await h.waitFor('done', () => h.status('netns').phase === 'Succeeded');
      assert.equal(await logText(h, 'netns'), 'lo\nnameserver 10.96.0.10\nsearch default.svc.cluster.local\n');
      const uid = h.pod('netns')!.metadata.uid!;
      await h.waitFor('released', () => network.tornDown.includes(uid));
    } finally {
      await h.dispose();
      await network.close();
    }
  });
});

describe('without a sandbox', () => {
  test('containers run as process groups: exit codes, logs, environment, deletion', async () => {
    const h = await startHarness({ sandbox: 'none' });
    const marker = `nosandbox-${process.pid}-${Date.now()}`;
    try {
      assert.equal(h.kubelet.sandboxing, 'none');
      await h.create(boundPod('plain', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', env: [{ name: 'X', value: 'y' }], command: ['sh', '-c', 'echo $X $HOSTNAME; exit 4'] }] }));
      await h.waitFor('failed', () => h.status('plain').phase === 'Failed');
      assert.equal(h.status('plain').containerStatuses?.[0].state.terminated?.exitCode, 4);
      assert.equal(await logText(h, 'plain'), 'y plain\n');

      await h.create(boundPod('long', { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', `sleep 600 & sleep 601; echo ${marker}`] }] }));
      await h.waitFor('processes', () => processesWith(marker).length > 0);
      const podType = h.registry.lookup('', 'v1', 'pods')!;
      await h.service.delete({ type: podType, namespace: 'default', user: { name: 't', groups: ['system:masters'] } }, 'long');
      await h.waitFor('deleted', () => h.pod('long') === undefined, 5000);
      await h.waitFor('no process left', () => processesWith(marker).length === 0, 3000);
    } finally {
      await h.dispose();
    }
  });
});
