import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemScope } from '../controllers/system-scope.js';
import type { KubeObject } from '../objects.js';
import { ServiceAddressAllocator } from './service-address-allocator.js';
import { startNetHarness, svc, type NetHarness } from './test-harness.js';

async function withAllocator(fn: (h: NetHarness, a: ServiceAddressAllocator) => Promise<void>, cidr = '10.96.0.0/12', nodePortRange = { min: 30000, max: 32767 }): Promise<void> {
  const h = await startNetHarness();
  const a = new ServiceAddressAllocator(h.store, { serviceCIDR: cidr, nodePortRange });
  h.service.admission.push(a);
  try {
    await fn(h, a);
  } finally {
    await h.dispose();
  }
}

const web = { selector: { app: 'web' }, ports: [{ port: 80 }] };
type SpecView = { clusterIP?: string; clusterIPs?: string[]; ipFamilies?: string[]; ipFamilyPolicy?: string; ports: { nodePort?: number; port: number }[]; healthCheckNodePort?: number };
const specOf = (o: KubeObject): SpecView => o.spec as SpecView;

async function rejects(p: Promise<unknown>, code: number, message: string): Promise<void> {
  await assert.rejects(p, (err: { code?: number; message?: string }) => {
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    return true;
  });
}

test('a ClusterIP Service gets a free address of the range, clusterIPs to match and single-stack IPv4 families', async () => {
  await withAllocator(async (h, a) => {
    assert.equal(a.firstAddress, '10.96.0.1');
    const s = specOf(await h.create(svc('web', web)));
    assert.match(s.clusterIP!, /^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/);
    assert.deepEqual(s.clusterIPs, [s.clusterIP]);
    assert.deepEqual(s.ipFamilies, ['IPv4']);
    assert.equal(s.ipFamilyPolicy, 'SingleStack');
    const other = specOf(await h.create(svc('api', web)));
    assert.notEqual(other.clusterIP, s.clusterIP);
  });
});

test('a requested ClusterIP is honoured when free; taken or out of range or malformed gets Kubernetes’ 422', async () => {
  await withAllocator(async (h) => {
    const first = specOf(await h.create(svc('kubernetes', { ...web, clusterIP: '10.96.0.1' })));
    assert.deepEqual(first.clusterIPs, ['10.96.0.1']);
    await rejects(h.create(svc('b', { ...web, clusterIP: '10.96.0.1' })), 422, 'Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: failed to allocate IP 10.96.0.1: provided IP is already allocated');
    await rejects(
      h.create(svc('c', { ...web, clusterIP: '192.168.1.1' })),
      422,
      'Service "c" is invalid: spec.clusterIPs: Invalid value: []string{"192.168.1.1"}: failed to allocate IP 192.168.1.1: the provided IP (192.168.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    );
    await rejects(h.create(svc('d', { ...web, clusterIP: 'abc' })), 422, 'Service "d" is invalid: spec.clusterIPs[0]: Invalid value: "abc": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)');
    await rejects(h.create(svc('e', { ...web, clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.8'] })), 422, 'Service "e" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.8"}: first value must match `clusterIP`');
    await rejects(h.create(svc('f', { ...web, ipFamilies: ['IPv6'] })), 422, 'Service "f" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster');
    await rejects(h.create(svc('g', { ...web, ipFamilyPolicy: 'RequireDualStack' })), 422, 'Service "g" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services');
    // Nothing above kept an address: the range's bookkeeping is the stored Services alone.
    assert.equal(h.store.list('services').length, 1);
  });
});

test('addresses are recomputed from the stored Services: dry runs reserve nothing and deletions free', async () => {
  await withAllocator(async (h) => {
    const type = h.typeOf(svc('x', web));
    const scope = { ...systemScope(type, 'default', 'test'), dryRun: true };
    const dry = await h.service.create(scope, svc('x', { ...web, clusterIP: '10.96.0.50' }));
    assert.equal(specOf(dry.object).clusterIP, '10.96.0.50');
    const real = await h.create(svc('y', { ...web, clusterIP: '10.96.0.50' }));
    await h.remove(real);
    assert.equal(specOf(await h.create(svc('z', { ...web, clusterIP: '10.96.0.50' }))).clusterIP, '10.96.0.50');
  });
});

test('an update that omits allocated values keeps them; a type change releases what the new type does not use', async () => {
  await withAllocator(async (h) => {
    const created = await h.create(svc('web', { ...web, type: 'NodePort' }));
    const { clusterIP, ports } = specOf(created);
    assert.ok(ports[0].nodePort! >= 30000 && ports[0].nodePort! <= 32767);
    // What `kubectl apply` / a PUT from the manifest sends: no clusterIP, no nodePort.
    const applied = await h.update({ ...created, spec: { ...web, type: 'NodePort' } });
    assert.equal(specOf(applied).clusterIP, clusterIP);
    assert.equal(specOf(applied).ports[0].nodePort, ports[0].nodePort);
    const toClusterIP = await h.update({ ...applied, spec: { ...(applied.spec as object), type: 'ClusterIP', externalTrafficPolicy: undefined } });
    assert.equal(specOf(toClusterIP).ports[0].nodePort, undefined, 'the node port is released');
    assert.equal(specOf(toClusterIP).clusterIP, clusterIP);
    const toExternal = await h.update({ ...toClusterIP, spec: { ...(toClusterIP.spec as object), type: 'ExternalName', externalName: 'db.example.com', selector: undefined, internalTrafficPolicy: undefined } });
    assert.equal(specOf(toExternal).clusterIP, undefined);
    assert.equal(specOf(toExternal).ipFamilies, undefined);
    assert.equal(specOf(toExternal).ipFamilyPolicy, undefined);
    // Back from ExternalName: a new address is allocated.
    const back = await h.update({ ...toExternal, spec: { ...web, type: 'ClusterIP' } });
    assert.match(specOf(back).clusterIP!, /^10\./);
  });
});

test('node ports: requested ones honoured if free, same port number shares one, LoadBalancer gets them unless told not to', async () => {
  await withAllocator(async (h) => {
    const a = specOf(await h.create(svc('a', { ...web, type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })));
    assert.equal(a.ports[0].nodePort, 30080);
    await rejects(h.create(svc('b', { ...web, type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })), 422, 'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
    await rejects(
      h.create(svc('c', { ...web, type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] })),
      422,
      'Service "c" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
    const dns = specOf(await h.create(svc('dns', { ...web, type: 'NodePort', ports: [{ name: 'tcp', port: 53, protocol: 'TCP' }, { name: 'udp', port: 53, protocol: 'UDP' }] })));
    assert.equal(dns.ports[0].nodePort, dns.ports[1].nodePort);
    const lb = specOf(await h.create(svc('lb', { ...web, type: 'LoadBalancer', externalTrafficPolicy: 'Local' })));
    assert.ok(lb.ports[0].nodePort! >= 30000);
    assert.ok(lb.healthCheckNodePort! >= 30000 && lb.healthCheckNodePort !== lb.ports[0].nodePort);
    const noPorts = specOf(await h.create(svc('lb2', { ...web, type: 'LoadBalancer', allocateLoadBalancerNodePorts: false })));
    assert.equal(noPorts.ports[0].nodePort, undefined);
  });
});

test('headless Services get no address; a full range is a 500 like kube-apiserver’s', async () => {
  await withAllocator(
    async (h) => {
      const headless = specOf(await h.create(svc('db', { ...web, clusterIP: 'None' })));
      assert.deepEqual(headless.clusterIPs, ['None']);
      assert.deepEqual(headless.ipFamilies, ['IPv4']);
      // 10.96.0.0/29 has six usable addresses.
      const got = new Set<string>();
      for (let i = 0; i < 6; i++) got.add(specOf(await h.create(svc(`s${i}`, web))).clusterIP!);
      assert.equal(got.size, 6);
      await rejects(h.create(svc('full', web)), 500, 'Internal error occurred: failed to allocate a serviceIP: range is full');
      const np = specOf(await h.create(svc('np', { ...web, clusterIP: 'None', type: 'ClusterIP' })));
      assert.deepEqual(np.clusterIPs, ['None']);
    },
    '10.96.0.0/29',
  );
});

test('node port range exhaustion is reported, and ranges are recomputed after deletes', async () => {
  await withAllocator(
    async (h) => {
      const a = await h.create(svc('a', { ...web, type: 'NodePort' }));
      await h.create(svc('b', { ...web, type: 'NodePort' }));
      await rejects(h.create(svc('c', { ...web, type: 'NodePort' })), 500, 'Internal error occurred: failed to allocate a nodePort: range is full');
      await h.remove(a);
      assert.ok(specOf(await h.create(svc('c', { ...web, type: 'NodePort' }))).ports[0].nodePort);
    },
    '10.96.0.0/12',
    { min: 30000, max: 30001 },
  );
});
