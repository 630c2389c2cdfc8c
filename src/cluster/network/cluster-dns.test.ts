import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { pino } from 'pino';
import type { KubeObject } from '../objects.js';
import { ClusterDns, DnsAnswerer, type DnsSource } from './cluster-dns.js';

function fakeSource(objects: KubeObject[]): DnsSource {
  const find = (kind: string, ns: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.namespace === ns && o.metadata.name === name);
  return { service: (ns, n) => find('Service', ns, n), endpoints: (ns, n) => find('Endpoints', ns, n), namespaceExists: (ns) => ['default', 'db'].includes(ns) };
}

const objects: KubeObject[] = [
  { kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } },
  { kind: 'Service', metadata: { name: 'pg', namespace: 'db' }, spec: { type: 'ClusterIP', clusterIP: 'None', ports: [{ name: 'sql', port: 5432, protocol: 'TCP' }] } },
  {
    kind: 'Endpoints',
    metadata: { name: 'pg', namespace: 'db' },
    subsets: [
      { addresses: [{ ip: '10.1.0.5', hostname: 'pg-0' }, { ip: '10.1.0.6', hostname: 'pg-1' }], notReadyAddresses: [{ ip: '10.1.0.7', hostname: 'pg-2' }], ports: [{ name: 'sql', port: 5432, protocol: 'TCP' }] },
    ],
  },
  { kind: 'Service', metadata: { name: 'empty', namespace: 'db' }, spec: { clusterIP: 'None' } },
  { kind: 'Service', metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } },
];

const answerer = new DnsAnswerer(fakeSource(objects));
const ask = (name: string, type: 'A' | 'AAAA' | 'SRV' | 'TXT' = 'A') => answerer.answer({ name, type });
const data = (a: ReturnType<typeof ask>) => a.answers.map((r) => (r as { data: unknown }).data);

test('a ClusterIP Service resolves to its ClusterIP; other types of an existing name have no data but no NXDOMAIN', () => {
  const a = ask('web.default.svc.cluster.local');
  assert.equal(a.rcode, 'NOERROR');
  assert.deepEqual(a.answers, [{ type: 'A', name: 'web.default.svc.cluster.local', ttl: 5, data: '10.96.0.10' }]);
  assert.deepEqual(data(ask('WEB.Default.svc.cluster.local.')), ['10.96.0.10'], 'case and the trailing dot do not matter');
  const aaaa = ask('web.default.svc.cluster.local', 'AAAA');
  assert.equal(aaaa.rcode, 'NOERROR');
  assert.deepEqual(aaaa.answers, []);
  assert.equal(aaaa.authorities[0].type, 'SOA');
});

test('a headless Service resolves to its ready endpoints; StatefulSet-style hostnames resolve to their pod', () => {
  assert.deepEqual(data(ask('pg.db.svc.cluster.local')).sort(), ['10.1.0.5', '10.1.0.6']);
  assert.deepEqual(data(ask('pg-1.pg.db.svc.cluster.local')), ['10.1.0.6']);
  assert.deepEqual(data(ask('10-1-0-5.pg.db.svc.cluster.local')), ['10.1.0.5']);
  assert.equal(ask('pg-2.pg.db.svc.cluster.local').rcode, 'NXDOMAIN', 'not ready: not published');
  assert.equal(ask('empty.db.svc.cluster.local').rcode, 'NXDOMAIN');
});

test('SRV records name the port, with the targets’ addresses as additionals', () => {
  const ip = ask('_http._tcp.web.default.svc.cluster.local', 'SRV');
  assert.deepEqual(data(ip), [{ priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' }]);
  assert.deepEqual(ip.additionals, [{ type: 'A', name: 'web.default.svc.cluster.local', ttl: 5, data: '10.96.0.10' }]);
  const headless = ask('_sql._tcp.pg.db.svc.cluster.local', 'SRV');
  assert.deepEqual(
    data(headless).map((d) => (d as { target: string }).target),
    ['pg-0.pg.db.svc.cluster.local', 'pg-1.pg.db.svc.cluster.local'],
  );
  assert.equal(ask('_nope._tcp.web.default.svc.cluster.local', 'SRV').rcode, 'NXDOMAIN');
});

test('ExternalName is a CNAME, pod names resolve their dashed IP, unknown names are NXDOMAIN and foreign ones REFUSED', () => {
  assert.deepEqual(ask('ext.default.svc.cluster.local').answers, [{ type: 'CNAME', name: 'ext.default.svc.cluster.local', ttl: 5, data: 'db.example.com' }]);
  assert.deepEqual(data(ask('10-1-2-3.default.pod.cluster.local')), ['10.1.2.3']);
  for (const n of ['nope.default.svc.cluster.local', 'web.nope.svc.cluster.local', 'web.default.default.svc.cluster.local', 'a.b.c.d.e.f.svc.cluster.local', 'x.cluster.local', '999-1-2-3.default.pod.cluster.local']) {
    assert.equal(ask(n).rcode, 'NXDOMAIN', n);
  }
  assert.equal(ask('default.svc.cluster.local').rcode, 'NOERROR', 'a namespace is an empty non-terminal');
  for (const n of ['example.com', 'localhost', 'cluster.local.evil.com', '5.0.96.10.in-addr.arpa']) assert.equal(ask(n).rcode, 'REFUSED', n);
});

test('the server answers over UDP and TCP, encoding what the answerer says', async () => {
  const dns = new ClusterDns(fakeSource(objects), { ip: '127.0.0.1', port: 0, log: pino({ level: 'silent' }) });
  await dns.start();
  try {
    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([`127.0.0.1:${dns.port}`]);
    assert.deepEqual(await resolver.resolve4('web.default.svc.cluster.local'), ['10.96.0.10']);
    assert.deepEqual((await resolver.resolve4('pg.db.svc.cluster.local')).sort(), ['10.1.0.5', '10.1.0.6']);
    assert.deepEqual(await resolver.resolveSrv('_http._tcp.web.default.svc.cluster.local'), [{ name: 'web.default.svc.cluster.local', port: 80, priority: 0, weight: 100 }]);
    await assert.rejects(resolver.resolve4('nope.default.svc.cluster.local'), { code: 'ENOTFOUND' });
    await assert.rejects(resolver.resolve4('example.com'), { code: 'EREFUSED' });
    // The raw packet: authoritative, id echoed, recursion-desired echoed.
    const sock = dgram.createSocket('udp4');
    const reply = await new Promise<Buffer>((resolve) => {
      sock.once('message', (m) => resolve(m));
      sock.send(dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'web.default.svc.cluster.local' }] }), dns.port, '127.0.0.1');
    });
    sock.close();
    const decoded = dnsPacket.decode(reply);
    assert.equal(decoded.id, 4242);
    assert.equal(decoded.flag_aa, true);
    assert.equal(decoded.flag_rd, true);
    // TCP: two length-prefixed queries on one connection.
    const tcp = net.connect({ host: '127.0.0.1', port: dns.port });
    const answers: string[] = [];
    await new Promise<void>((resolve, reject) => {
      let buf = Buffer.alloc(0);
      tcp.on('error', reject);
      tcp.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const msg = dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0)));
          buf = buf.subarray(2 + buf.readUInt16BE(0));
          answers.push(`${msg.id}:${(msg.answers?.[0] as { data?: string } | undefined)?.data ?? (msg as { rcode?: string }).rcode}`);
          if (answers.length === 2) resolve();
        }
      });
      tcp.write(Buffer.concat([
        dnsPacket.streamEncode({ type: 'query', id: 1, questions: [{ type: 'A', name: 'web.default.svc.cluster.local' }] }),
        dnsPacket.streamEncode({ type: 'query', id: 2, questions: [{ type: 'A', name: 'nope.default.svc.cluster.local' }] }),
      ]));
    });
    tcp.destroy();
    assert.deepEqual(answers, ['1:10.96.0.10', '2:NXDOMAIN']);
  } finally {
    await dns.close();
  }
});
