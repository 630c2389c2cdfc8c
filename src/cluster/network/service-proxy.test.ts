import { test } from 'node:test';
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { KubeObject } from '../objects.js';
import { HostNodeNetwork } from './node-network.js';
import { desiredListeners, readyEndpoints, ServiceProxy } from './service-proxy.js';
import { startNetHarness, svc } from './test-harness.js';

/** A TCP server that answers every connection with its name and the first line it received. */
async function namedServer(name: string): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((s) => {
    s.once('data', (d: Buffer) => s.end(`${name}:${d.toString().trim()}`));
    s.on('error', () => s.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Sends a line and reads the reply; 'RESET' or 'REFUSED' when the proxy turned the connection away. */
function exchange(port: number, line: string): Promise<string> {
  return new Promise((resolve) => {
    const c = net.connect({ host: '127.0.0.1', port });
    let out = '';
    c.on('connect', () => c.write(`${line}\n`));
    c.on('data', (d: Buffer) => (out += d.toString()));
    c.on('end', () => resolve(out));
    c.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? 'REFUSED' : 'RESET'));
  });
}

test('which addresses a Service is served on, by type and network mode', () => {
  const nodePort: KubeObject = svc('np', { type: 'NodePort', clusterIP: '10.7.128.9', ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' }, { name: 'dns', port: 53, nodePort: 30053, protocol: 'UDP' }] });
  const namespaced = { mode: 'namespaced' as const, nodeIP: '10.7.0.1' };
  assert.deepEqual([...desiredListeners(nodePort, namespaced).keys()], ['10.7.128.9:80', '127.0.0.1:30080', '10.7.0.1:30080']);
  assert.deepEqual([...desiredListeners(nodePort, { mode: 'host', nodeIP: '127.0.0.1' }).keys()], ['127.0.0.1:30080']);
  const lb: KubeObject = { ...svc('lb', { type: 'LoadBalancer', clusterIP: '10.7.128.10', ports: [{ port: 443, nodePort: 30443, protocol: 'TCP' }] }), status: { loadBalancer: { ingress: [{ ip: '10.7.0.1', ipMode: 'VIP' }] } } };
  assert.deepEqual([...desiredListeners(lb, namespaced).keys()], ['10.7.128.10:443', '127.0.0.1:30443', '10.7.0.1:30443', '10.7.0.1:443']);
  assert.deepEqual([...desiredListeners(svc('h', { clusterIP: 'None', ports: [{ port: 80, protocol: 'TCP' }] }), namespaced).keys()], []);
  assert.deepEqual([...desiredListeners(svc('e', { type: 'ExternalName', externalName: 'x.example.com' }), namespaced).keys()], []);
});

test('ready endpoints come from the subsets whose port carries the Service port’s name', () => {
  const eps: KubeObject = {
    metadata: { name: 'x' },
    subsets: [
      { addresses: [{ ip: '10.0.0.1' }], notReadyAddresses: [{ ip: '10.0.0.9' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
      { addresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }, { name: 'udp', port: 53, protocol: 'UDP' }] },
    ],
  };
  assert.deepEqual(readyEndpoints(eps, 'http'), [{ ip: '10.0.0.1', port: 8080 }, { ip: '10.0.0.2', port: 9090 }]);
  assert.deepEqual(readyEndpoints(eps, 'udp'), []);
  assert.deepEqual(readyEndpoints(undefined, 'http'), []);
});

test('host mode: a NodePort on 127.0.0.1 spreads connections round-robin, skips dead endpoints, follows changes and resets without endpoints', async () => {
  const h = await startNetHarness();
  const a = await namedServer('a');
  const b = await namedServer('b');
  const dead = await freePort();
  const nodePort = await freePort();
  const proxy = new ServiceProxy(h.store, { network: new HostNodeNetwork(), log: pino({ level: 'silent' }), connectTimeoutMs: 500 });
  proxy.start();
  try {
    const service = await h.create(svc('web', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort }] }));
    const endpoints = (ports: number[]): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web', namespace: 'default' },
      subsets: ports.map((port) => ({ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'http', port }] })),
    });
    await h.create(endpoints([a.port, dead, b.port]));
    await proxy.settled();
    assert.deepEqual(proxy.listening(), [`127.0.0.1:${nodePort}`]);
    const replies: string[] = [];
    for (let i = 0; i < 6; i++) replies.push(await exchange(nodePort, `hello${i}`));
    // Round-robin over [a, dead, b]: the dead endpoint's turn goes to the next one, no connection is lost.
    assert.deepEqual(replies, ['a:hello0', 'b:hello1', 'b:hello2', 'a:hello3', 'b:hello4', 'b:hello5']);
    // Readiness is read per connection: with b's endpoint gone, everything goes to a.
    const eps = h.get('endpoints', 'default/web')!;
    await h.update({ ...endpoints([a.port]), metadata: eps.metadata });
    for (let i = 0; i < 3; i++) assert.equal(await exchange(nodePort, 'x'), 'a:x');
    // ClientIP affinity: the first backend chosen keeps the client.
    await h.update({ ...endpoints([a.port, b.port]), metadata: h.get('endpoints', 'default/web')!.metadata });
    const current = h.get('services', 'default/web')!;
    await h.update({ ...current, spec: { ...(current.spec as object), sessionAffinity: 'ClientIP' } });
    const first = (await exchange(nodePort, 'y')).split(':')[0];
    for (let i = 0; i < 4; i++) assert.equal((await exchange(nodePort, 'y')).split(':')[0], first);
    // No ready endpoint: the connection is refused at once (reset), as kube-proxy's REJECT does.
    await h.update({ ...endpoints([]), metadata: h.get('endpoints', 'default/web')!.metadata });
    assert.equal(await exchange(nodePort, 'z'), 'RESET');
    // The Service goes: so does the listener.
    await h.remove(service);
    await proxy.settled();
    assert.deepEqual(proxy.listening(), []);
    assert.equal(await exchange(nodePort, 'z'), 'REFUSED');
  } finally {
    await proxy.close();
    a.server.close();
    b.server.close();
    await h.dispose();
  }
});

test('a port the proxy cannot bind is reported and retried, without stopping the other Services', async () => {
  const h = await startNetHarness();
  const squatter = await namedServer('squatter');
  const free = await freePort();
  const warnings: string[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
  const proxy = new ServiceProxy(h.store, { network: new HostNodeNetwork(), log, retryMs: 100 });
  proxy.start();
  try {
    await h.create(svc('taken', { type: 'NodePort', ports: [{ port: 80, nodePort: squatter.port }] }));
    await h.create(svc('fine', { type: 'NodePort', ports: [{ port: 80, nodePort: free }] }));
    await proxy.settled();
    assert.deepEqual(proxy.listening(), [`127.0.0.1:${free}`]);
    assert.ok(warnings.some((w) => w.includes('service proxy cannot listen') && w.includes(`127.0.0.1:${squatter.port}`)), warnings.join('\n'));
    // Once the port is free, the retry takes it.
    await new Promise<void>((r) => squatter.server.close(() => r()));
    await h.waitFor('the retried listener', () => proxy.listening().includes(`127.0.0.1:${squatter.port}`), 3_000);
  } finally {
    await proxy.close();
    squatter.server.close();
    await h.dispose();
  }
});
