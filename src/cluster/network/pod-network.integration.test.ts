/**
 * The namespaced pod network for real (needs root and iproute2; skipped otherwise): two "pods" in
 * their own network namespaces serve HTTP on 8080, a Service in front of them is reached by its
 * ClusterIP from the host and from inside a pod, cluster DNS answers inside a pod, and close()
 * leaves no namespace, bridge, veth, address or file behind. Every name and subnet is this test
 * run's own, so it runs beside other clusters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { ClusterNetworking } from './cluster-networking.js';
import { NamespacedPodNetwork } from './namespaced-pod-network.js';
import { STATE_FILE } from './network-state.js';
import { createPodNetwork } from './node-network.js';
import type { PodSandbox } from './pod-network.js';
import { startNetHarness, svc } from './test-harness.js';

const run = promisify(execFile);
const log = pino({ level: process.env.NET_TEST_LOG ?? 'silent' });
const HERE = path.dirname(fileURLToPath(import.meta.url));

function namespacesUsable(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'needs iproute2 with netns support';
  }
}
const skip = namespacesUsable();

/** A process serving HTTP on 0.0.0.0:8080 inside a pod's namespace, answering its name. */
function podServer(sandbox: PodSandbox, name: string): ChildProcess {
  const script = "require('http').createServer((q, s) => s.end(process.env.POD_NAME)).listen(8080, '0.0.0.0')";
  return spawn('nsenter', [`--net=${sandbox.netnsPath}`, process.execPath, '-e', script], { env: { ...process.env, POD_NAME: name }, stdio: 'ignore' });
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, timeout: 2000 }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(body));
      })
      .on('error', reject)
      .on('timeout', function (this: http.ClientRequest) {
        this.destroy(new Error(`timeout: ${url}`));
      });
  });
}

/** Runs node inside a pod's network namespace and returns what it printed. */
async function inPod(sandbox: PodSandbox, script: string): Promise<string> {
  const { stdout } = await run('nsenter', [`--net=${sandbox.netnsPath}`, process.execPath, '-e', script], { timeout: 10_000 });
  return stdout.trim();
}

async function waitUntil(what: string, fn: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Everything on the host that carries this network's id or lives in its subnet. */
async function leftovers(id: string, subnetPrefix: string): Promise<string[]> {
  const [netns, links, addrs] = await Promise.all([run('ip', ['netns', 'list']), run('ip', ['-o', 'link', 'show']), run('ip', ['-o', '-4', 'addr', 'show'])]);
  const out = [
    ...netns.stdout.split('\n').filter((l) => l.includes(`argosy-${id}`)),
    ...links.stdout.split('\n').filter((l) => l.includes(`argosy-${id}`) || l.includes(`a${id}`)),
    ...addrs.stdout.split('\n').filter((l) => l.includes(` ${subnetPrefix}`)),
  ];
  for (const e of fs.existsSync('/etc/netns') ? fs.readdirSync('/etc/netns') : []) if (e.startsWith(`argosy-${id}-`)) out.push(`/etc/netns/${e}`);
  return out;
}

function idOf(net: NamespacedPodNetwork): string {
  return net.bridge.slice('argosy-'.length);
}

test('pods in their own namespaces reach a Service by ClusterIP and by DNS; readiness steers traffic; close() leaves nothing', { skip }, async () => {
  const h = await startNetHarness();
  const network = await NamespacedPodNetwork.start({ stateDir: path.join(h.dir, 'net'), log });
  const subnetPrefix = network.podCIDR.split('.').slice(0, 2).join('.') + '.';
  const errors: unknown[] = [];
  const networking = new ClusterNetworking({ store: h.store, registry: h.registry, service: h.service, network, log, onError: (_k, e) => void errors.push(e) });
  const servers: ChildProcess[] = [];
  try {
    await networking.start({ host: '127.0.0.1', port: 6443 });
    const a = await network.setup({ uid: randomUUID(), namespace: 'default', name: 'web-a', hostname: 'web-a' });
    const b = await network.setup({ uid: randomUUID(), namespace: 'default', name: 'web-b', hostname: 'web-b' });
    assert.notEqual(a.ip, b.ip);
    assert.equal(a.resolvConf, `nameserver ${network.dnsIP}\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n`);
    // Started with `ip netns exec`, a process gets the same resolv.conf (/etc/netns/NAME).
    const viaIp = await run('ip', ['netns', 'exec', path.basename(a.netnsPath!), 'cat', '/etc/resolv.conf']);
    assert.equal(viaIp.stdout, a.resolvConf);
    servers.push(podServer(a, 'web-a'), podServer(b, 'web-b'));
    await waitUntil('both pod servers', async () => (await get(`http://${a.ip}:8080/`)) === 'web-a' && (await get(`http://${b.ip}:8080/`)) === 'web-b');

    await h.runPod('web-a', { app: 'web' }, a.ip, true);
    await h.runPod('web-b', { app: 'web' }, b.ip, true);
    const service = await h.create(svc('web', { selector: { app: 'web' }, type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080 }] }));
    const { clusterIP, ports } = service.spec as { clusterIP: string; ports: { nodePort: number }[] };
    assert.ok(clusterIP.startsWith(network.serviceCIDR.split('.').slice(0, 2).join('.')), `${clusterIP} is in ${network.serviceCIDR}`);
    await h.waitFor('two endpoints', () => ((h.get('endpoints', 'default/web')?.subsets as { addresses?: unknown[] }[] | undefined)?.[0]?.addresses ?? []).length === 2);
    await networking.settled();

    // From the host: both pods answer behind the ClusterIP, and behind the NodePort on 127.0.0.1.
    const fromHost = new Set<string>();
    for (let i = 0; i < 4; i++) fromHost.add(await get(`http://${clusterIP}/`));
    assert.deepEqual([...fromHost].sort(), ['web-a', 'web-b']);
    assert.match(await get(`http://127.0.0.1:${ports[0].nodePort}/`), /^web-[ab]$/);

    // From inside pod a: the ClusterIP, the NodePort on the node address, and DNS.
    const clientScript = (urls: string[]) => `(async () => { const out = []; for (const u of ${JSON.stringify(urls)}) out.push(await (await fetch(u)).text()); console.log(JSON.stringify(out)); })()`;
    const fromPod = JSON.parse(await inPod(a, clientScript([`http://${clusterIP}/`, `http://${clusterIP}/`, `http://${clusterIP}/`, `http://${clusterIP}/`]))) as string[];
    assert.deepEqual([...new Set(fromPod)].sort(), ['web-a', 'web-b']);
    assert.match(await inPod(a, clientScript([`http://${network.nodeIP}:${ports[0].nodePort}/`])), /web-[ab]/);
    const resolved = await inPod(a, `const r = new (require('dns').promises.Resolver)(); r.setServers(['${network.dnsIP}']); r.resolve4('web.default.svc.cluster.local').then((x) => console.log(x.join(',')))`);
    assert.equal(resolved, clusterIP);
    // `ip netns exec` gives the pod its resolv.conf: the search path turns `web.default` into the Service.
    const netnsName = path.basename(a.netnsPath!);
    const { stdout: hosts } = await run('ip', ['netns', 'exec', netnsName, 'getent', 'hosts', 'web.default'], { timeout: 10_000 });
    assert.equal(hosts.trim().split(/\s+/)[0], clusterIP);
    // A request for a name outside the cluster is refused, not forwarded.
    const outside = await inPod(a, `const r = new (require('dns').promises.Resolver)({ tries: 1, timeout: 1000 }); r.setServers(['${network.dnsIP}']); r.resolve4('example.com').then(() => console.log('resolved'), (e) => console.log(e.code))`);
    assert.equal(outside, 'EREFUSED');

    // Pod b not ready: it gets no traffic.
    await h.setReady('web-b', false);
    await h.waitFor('one ready endpoint', () => ((h.get('endpoints', 'default/web')?.subsets as { addresses?: unknown[] }[] | undefined)?.[0]?.addresses ?? []).length === 1);
    const onlyA = JSON.parse(await inPod(b, clientScript([`http://${clusterIP}/`, `http://${clusterIP}/`, `http://${clusterIP}/`]))) as string[];
    assert.deepEqual(onlyA, ['web-a', 'web-a', 'web-a']);

    // The kubernetes Service is served too (its endpoint is this test's fake API address).
    assert.ok((networking as unknown as { proxy: { listening(): string[] } }).proxy.listening().some((l) => l.endsWith(':443')));
    assert.deepEqual(errors, []);
  } finally {
    for (const s of servers) s.kill('SIGKILL');
    await networking.close();
    const id = idOf(network);
    await network.close();
    assert.deepEqual(await leftovers(id, subnetPrefix), [], 'nothing of the network is left on the host');
    assert.equal(fs.existsSync(path.join(h.dir, 'net', STATE_FILE)), false);
    await h.dispose();
  }
});

test('setup is idempotent, teardown removes the namespace, and a crashed run’s sandboxes are re-adopted from the state file', { skip }, async () => {
  const h = await startNetHarness();
  const stateDir = path.join(h.dir, 'net');
  const uids = [randomUUID(), randomUUID(), randomUUID()];
  // A run that dies without close(): its bridge and namespaces stay behind.
  const script = `
    import { NamespacedPodNetwork } from ${JSON.stringify(path.join(HERE, 'namespaced-pod-network.ts'))};
    import { pino } from 'pino';
    const net = await NamespacedPodNetwork.start({ stateDir: ${JSON.stringify(stateDir)}, log: pino({ level: 'silent' }) });
    const out = [];
    for (const uid of ${JSON.stringify(uids)}) out.push((await net.setup({ uid, namespace: 'default', name: uid, hostname: 'x' })).ip);
    await net.teardown(${JSON.stringify(uids[2])});
    await new Promise((r) => setTimeout(r, 50));
    console.log(JSON.stringify({ ips: out, bridge: net.bridge }));
    process.exit(0);
  `;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: path.resolve(HERE, '../../..'), timeout: 20_000 });
  const crashed = JSON.parse(stdout.trim().split('\n').pop()!) as { ips: string[]; bridge: string };
  // Something of that run that never made it into the state file (it died right after creating it).
  const stray = `${crashed.bridge}-stray`;
  await run('ip', ['netns', 'add', stray]);
  const network = await NamespacedPodNetwork.start({ stateDir, log });
  const id = idOf(network);
  const subnetPrefix = network.podCIDR.split('.').slice(0, 2).join('.') + '.';
  try {
    assert.equal(network.bridge, crashed.bridge, 'the bridge of the earlier run is re-adopted');
    assert.deepEqual(network.sandboxUids().sort(), uids.slice(0, 2).sort());
    assert.ok(!(await run('ip', ['netns', 'list'])).stdout.includes(stray), 'the unrecorded namespace was removed');
    const again = await network.setup({ uid: uids[0], namespace: 'default', name: 'p0', hostname: 'p0' });
    assert.equal(again.ip, crashed.ips[0], 'the re-adopted sandbox keeps its address');
    assert.ok(fs.existsSync(again.netnsPath!));
    const twice = await Promise.all([network.setup({ uid: uids[1], namespace: 'default', name: 'p1', hostname: 'p1' }), network.setup({ uid: uids[1], namespace: 'default', name: 'p1', hostname: 'p1' })]);
    assert.equal(twice[0].ip, twice[1].ip);
    // A fresh pod does not get an address still in use.
    const fresh = await network.setup({ uid: randomUUID(), namespace: 'default', name: 'p3', hostname: 'p3' });
    assert.ok(!crashed.ips.slice(0, 2).includes(fresh.ip));
    await network.teardown(uids[0]);
    assert.equal(fs.existsSync(again.netnsPath!), false);
    await network.teardown(uids[0]);
  } finally {
    await network.close();
    assert.deepEqual(await leftovers(id, subnetPrefix), []);
    await h.dispose();
  }
});

test('createPodNetwork falls back to the host network when asked to, or with one clear warning when namespaces fail', async () => {
  const lines: string[] = [];
  const capture = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
  const host = await createPodNetwork({ stateDir: '/nonexistent', log: capture, preferNamespaces: false });
  assert.equal(host.mode, 'host');
  assert.equal(host.nodeIP, '127.0.0.1');
  assert.equal(host.dnsIP, undefined);
  assert.equal(host.serviceCIDR, '10.96.0.0/12');
  assert.deepEqual(await host.setup({ uid: 'u', namespace: 'd', name: 'n', hostname: 'n' }), { ip: '127.0.0.1' });
  assert.equal(await host.addLocalAddress('10.96.0.1'), false);
  assert.deepEqual(lines, [], 'asking for the host network is not worth a warning');
  // A state dir that cannot exist (under a file): the namespaced network cannot start.
  const fallback = await createPodNetwork({ stateDir: '/dev/null/argosy', log: capture });
  assert.equal(fallback.mode, 'host');
  assert.equal(lines.length, 1);
  const warning = JSON.parse(lines[0]) as { level: number; msg: string; reason: string };
  assert.equal(warning.level, 40);
  assert.match(warning.msg, /^pods share the host network/);
  assert.ok(warning.reason.length > 0);
});

test('per-pod setup and teardown cost (reported; namespaces of 40 pods set up concurrently)', { skip }, async (t) => {
  const h = await startNetHarness();
  const network = await NamespacedPodNetwork.start({ stateDir: path.join(h.dir, 'net'), log });
  const id = idOf(network);
  const subnetPrefix = network.podCIDR.split('.').slice(0, 2).join('.') + '.';
  const n = 40;
  try {
    const uids = Array.from({ length: n }, () => randomUUID());
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(uids.map((uid, i) => network.setup({ uid, namespace: 'default', name: `p${i}`, hostname: `p${i}` })));
    const setupMs = performance.now() - t0;
    const cpu1 = process.cpuUsage(cpu0);
    const t1 = performance.now();
    await Promise.all(uids.map((uid) => network.teardown(uid)));
    const teardownMs = performance.now() - t1;
    const perSec = Math.round(n / (setupMs / 1000));
    t.diagnostic(`setup: ${perSec} pods/s, ${(setupMs / n).toFixed(1)} ms wall and ${((cpu1.user + cpu1.system) / 1000 / n).toFixed(2)} ms of this process's CPU per pod; teardown ${(teardownMs / n).toFixed(1)} ms wall per pod`);
    // Speed is bench/'s job (kubelet-pods); the figure is reported here only as a diagnostic.
  } finally {
    await network.close();
    assert.deepEqual(await leftovers(id, subnetPrefix), []);
    await h.dispose();
  }
});
