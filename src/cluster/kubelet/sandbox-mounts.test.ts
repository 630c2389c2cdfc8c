/**
 * What keeps a sandbox cheap while many pods run: the spawner's own mount namespace holds none of
 * the pod network's `/run/netns` mounts (bubblewrap re-reads the mount table for every bind it
 * makes), a pod's namespace is still reached through the kubelet's root, and there the host root
 * is one read-only bind of `/`. Needs root, unshare and bubblewrap (skipped otherwise).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { readContainerLog } from './container-log.js';
import { HelperSpawner, pathForSpawner, probeOwnMountNamespace } from './process-spawner.js';
import { BWRAP, probeBubblewrap, sandboxArgv, type SandboxSpec } from './sandbox.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argosy-sandbox-mounts-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function usable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!(await probeOwnMountNamespace())) return 'unshare --mount does not work here';
  const problem = await probeBubblewrap();
  if (problem) return problem;
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
  } catch {
    return 'needs iproute2';
  }
  return undefined;
}
const skip = await usable();

const netns = `argosy-test-${randomBytes(4).toString('hex')}`;
before(() => {
  if (skip) return;
  execFileSync('ip', ['netns', 'add', netns]);
  execFileSync('ip', ['-n', netns, 'link', 'add', 'probe0', 'type', 'veth', 'peer', 'name', 'probe1']);
});
after(() => {
  if (!skip) execFileSync('ip', ['netns', 'del', netns]);
});

let runs = 0;
async function runIn(spawner: HelperSpawner, argv: string[]): Promise<{ exitCode: number; output: string }> {
  const logFile = path.join(dir, `run-${runs++}.log`);
  const run = spawner.spawn({ id: `r${runs}`, argv, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, logFile });
  const { exitCode } = await run.exited;
  let output = '';
  await readContainerLog(logFile, { follow: false, timestamps: false }, async (t) => void (output += t), undefined, new AbortController().signal);
  return { exitCode, output };
}

function spec(over: Partial<SandboxSpec> = {}): SandboxSpec {
  const etc = path.join(dir, 'etc');
  fs.mkdirSync(etc, { recursive: true });
  fs.writeFileSync(path.join(etc, 'hosts'), '127.0.0.1\tlocalhost\n');
  fs.writeFileSync(path.join(etc, 'hostname'), 'pod\n');
  return {
    hostname: 'pod',
    unsharePid: true,
    unshareIpc: true,
    etcFiles: { hosts: path.join(etc, 'hosts'), hostname: path.join(etc, 'hostname'), resolvConf: '/etc/resolv.conf' },
    mounts: [],
    workingDir: '/',
    command: ['true'],
    ...over,
  };
}

test('in its own mount namespace the spawner has no /run/netns mounts, and reaches a pod namespace through the kubelet root', { skip }, async () => {
  const hostMounts = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  assert.ok(hostMounts.includes(`/run/netns/${netns} `), 'the test namespace is mounted in the kubelet mount namespace');
  const spawner = new HelperSpawner((err) => assert.fail(String(err)), true);
  try {
    assert.equal(spawner.mountNamespace, 'own');
    const mounts = await runIn(spawner, ['cat', '/proc/self/mountinfo']);
    assert.equal(mounts.exitCode, 0);
    assert.ok(mounts.output.includes(' / / '), 'the root is there');
    assert.ok(!mounts.output.includes('/run/netns'), `no /run/netns mounts in the spawner namespace:\n${mounts.output}`);

    const netnsPath = pathForSpawner(spawner, `/run/netns/${netns}`);
    assert.equal(netnsPath, `/proc/${process.pid}/root/run/netns/${netns}`);
    const links = await runIn(spawner, ['nsenter', `--net=${netnsPath}`, 'cat', '/proc/net/dev']);
    assert.equal(links.exitCode, 0, links.output);
    assert.match(links.output, /probe0:/, 'the command ran in the pod network namespace');

    // The whole sandbox, as the kubelet starts it: in the pod's namespace, the host root read-only.
    const argv = await sandboxArgv(spec({ netnsPath, wholeRoot: true, command: ['sh', '-c', 'cat /proc/net/dev; ls /usr/bin/env; touch /usr/x 2>&1 || echo read-only'] }));
    const sandboxed = await runIn(spawner, argv);
    assert.equal(sandboxed.exitCode, 0, sandboxed.output);
    assert.match(sandboxed.output, /probe0:/);
    assert.match(sandboxed.output, /\/usr\/bin\/env/);
    assert.match(sandboxed.output, /read-only/);
  } finally {
    await spawner.close();
  }
});

test('sandboxArgv binds the host root whole when it may, and rebuilds it when a mount point must be made in /', async () => {
  const count = (argv: string[], a: string, b: string): number => argv.filter((x, i) => x === a && argv[i + 1] === b && argv[i + 2] === b).length;
  const whole = await sandboxArgv(spec({ wholeRoot: true }));
  assert.equal(whole[0], BWRAP);
  assert.equal(count(whole, '--ro-bind', '/'), 1);
  assert.equal(count(whole, '--ro-bind', '/usr'), 0, 'no per-entry binds');
  assert.ok(!whole.includes('--remount-ro'), 'the bind of / is read-only already');

  const shared = await sandboxArgv(spec({ wholeRoot: false }));
  assert.equal(count(shared, '--ro-bind', '/'), 0, 'without an own mount namespace / is never bound whole (/run/netns)');
  assert.equal(count(shared, '--ro-bind', '/usr'), 1);

  const topLevel = `/argosy-missing-${randomBytes(3).toString('hex')}`;
  const rebuilt = await sandboxArgv(spec({ wholeRoot: true, mounts: [{ hostPath: dir, containerPath: topLevel, readOnly: false }] }));
  assert.equal(count(rebuilt, '--ro-bind', '/'), 0, 'a new top-level mount point needs a rebuilt root');
  assert.equal(count(rebuilt, '--ro-bind', '/usr'), 1);

  const nested = await sandboxArgv(spec({ wholeRoot: true, mounts: [{ hostPath: dir, containerPath: `/etc${topLevel}`, readOnly: true }] }));
  assert.equal(count(nested, '--ro-bind', '/'), 1, 'a mount point below an existing directory keeps the whole root');
  assert.ok(nested.includes('--tmpfs') && nested[nested.indexOf('/etc', nested.indexOf('--tmpfs')) - 1] === '--tmpfs', '/etc is shadowed');
  assert.deepEqual(nested.slice(nested.indexOf('--remount-ro'), nested.indexOf('--remount-ro') + 2), ['--remount-ro', '/etc']);
});
