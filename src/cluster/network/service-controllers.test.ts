import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../objects.js';
import { EndpointsController } from './endpoints-controller.js';
import { EndpointSliceController } from './endpointslice-controller.js';
import { KubernetesServiceController } from './kubernetes-service-controller.js';
import { LoadBalancerController } from './load-balancer-controller.js';
import { ServiceAddressAllocator } from './service-address-allocator.js';
import { startNetHarness, svc, type NetHarness } from './test-harness.js';

interface Started {
  h: NetHarness;
  errors: unknown[];
}

async function withControllers(fn: (s: Started) => Promise<void>, maxPerSlice = 100): Promise<void> {
  const h = await startNetHarness();
  const allocator = new ServiceAddressAllocator(h.store, { serviceCIDR: '10.96.0.0/12' });
  h.service.admission.push(allocator);
  const errors: unknown[] = [];
  const onError = (_key: string, err: unknown): void => void errors.push(err);
  const controllers = [
    new EndpointsController(h.store, h.registry, h.service, onError),
    new EndpointSliceController(h.store, h.registry, h.service, onError, undefined, maxPerSlice),
    new LoadBalancerController(h.store, h.registry, h.service, onError, '10.5.0.1'),
    new KubernetesServiceController(h.store, h.registry, h.service, onError, { apiServerHost: '127.0.0.1', apiServerPort: 6443, clusterIP: allocator.firstAddress }),
  ];
  for (const c of controllers) c.start();
  try {
    await fn({ h, errors });
  } finally {
    for (const c of controllers) c.stop();
    await h.dispose();
  }
}

const webSpec = { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] };

type Subset = { addresses?: { ip: string }[]; notReadyAddresses?: { ip: string }[]; ports?: { name?: string; port: number }[] };
const subsetsOf = (h: NetHarness, key: string): Subset[] | undefined => h.get('endpoints', key)?.subsets as Subset[] | undefined;
const ips = (list: { ip: string }[] | undefined): string[] => (list ?? []).map((a) => a.ip);
function slicesOf(h: NetHarness, service: string, namespace = 'default'): KubeObject[] {
  return h.store
    .list('discovery.k8s.io/endpointslices', namespace)
    .map((s) => s.obj)
    .filter((o) => o.metadata.labels?.['kubernetes.io/service-name'] === service);
}

test('Endpoints follow pods: ready ones in addresses, unready in notReadyAddresses, gone when the pod or the Service goes', async () => {
  await withControllers(async ({ h, errors }) => {
    await h.create(svc('web', webSpec, 'default', { tier: 'front' }));
    await h.runPod('a', { app: 'web' }, '10.9.0.2', true);
    await h.runPod('b', { app: 'web' }, '10.9.0.3', true);
    await h.runPod('x', { app: 'other' }, '10.9.0.4', true);
    await h.waitFor('two ready addresses', () => ips(subsetsOf(h, 'default/web')?.[0]?.addresses).length === 2);
    const eps = h.get('endpoints', 'default/web')!;
    assert.deepEqual(eps.metadata.labels, { tier: 'front' }, 'the Service’s labels are copied');
    assert.deepEqual(subsetsOf(h, 'default/web'), [
      {
        addresses: [
          { ip: '10.9.0.2', nodeName: 'argosy', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: h.get('pods', 'default/a')!.metadata.uid } },
          { ip: '10.9.0.3', nodeName: 'argosy', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: h.get('pods', 'default/b')!.metadata.uid } },
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
    await h.setReady('b', false);
    await h.waitFor('b not ready', () => ips(subsetsOf(h, 'default/web')?.[0]?.notReadyAddresses)[0] === '10.9.0.3');
    assert.deepEqual(ips(subsetsOf(h, 'default/web')?.[0]?.addresses), ['10.9.0.2']);
    // A change that does not alter the endpoints writes nothing.
    const rv = h.get('endpoints', 'default/web')!.metadata.resourceVersion;
    await h.setReady('x', false);
    const a = h.get('pods', 'default/a')!;
    await h.update({ ...a, metadata: { ...a.metadata, annotations: { touched: 'yes' } } });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.get('endpoints', 'default/web')!.metadata.resourceVersion, rv);
    await h.remove(h.get('pods', 'default/a')!);
    await h.waitFor('a gone', () => ips(subsetsOf(h, 'default/web')?.[0]?.addresses).length === 0);
    // Deleted Endpoints come back; a deleted Service takes its Endpoints along.
    await h.remove(h.get('endpoints', 'default/web')!);
    await h.waitFor('endpoints back', () => h.get('endpoints', 'default/web'));
    await h.remove(h.get('services', 'default/web')!);
    await h.waitFor('endpoints gone', () => !h.get('endpoints', 'default/web'));
    assert.deepEqual(errors, []);
  });
});

test('a Service without a selector is left to its user: no Endpoints or slices are made or removed', async () => {
  await withControllers(async ({ h }) => {
    await h.create(svc('manual', { ports: [{ port: 80 }] }));
    await h.create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'manual', namespace: 'default' }, subsets: [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ port: 80 }] }] });
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(ips(subsetsOf(h, 'default/manual')?.[0]?.addresses), ['192.0.2.10']);
    assert.equal(slicesOf(h, 'manual').length, 0);
  });
});

test('EndpointSlices: named after the Service, labelled, owned by it, with conditions; an empty one when no pod matches', async () => {
  await withControllers(async ({ h, errors }) => {
    const service = await h.create(svc('web', webSpec));
    const empty = await h.waitFor('placeholder slice', () => slicesOf(h, 'web')[0]);
    assert.deepEqual(empty.endpoints, []);
    await h.runPod('a', { app: 'web' }, '10.9.0.2', true);
    await h.runPod('b', { app: 'web' }, '10.9.0.3', false);
    const slice = await h.waitFor('slice with two endpoints', () => slicesOf(h, 'web').find((s) => (s.endpoints as unknown[]).length === 2));
    assert.equal(slicesOf(h, 'web').length, 1, 'the placeholder was reused');
    assert.match(slice.metadata.name!, /^web-[a-z0-9]{5}$/);
    assert.deepEqual(slice.metadata.labels, { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    assert.deepEqual(slice.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: service.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const eps = slice.endpoints as { addresses: string[]; conditions: object; targetRef: { name: string } }[];
    assert.deepEqual(
      eps.map((e) => [e.addresses, e.conditions, e.targetRef.name]),
      [
        [['10.9.0.2'], { ready: true, serving: true, terminating: false }, 'a'],
        [['10.9.0.3'], { ready: false, serving: false, terminating: false }, 'b'],
      ],
    );
    // A managed slice deleted by hand is put back.
    await h.remove(slice);
    await h.waitFor('slice back', () => slicesOf(h, 'web').find((s) => (s.endpoints as unknown[]).length === 2));
    assert.deepEqual(errors, []);
  });
});

test('slices hold at most maxEndpointsPerSlice endpoints and shrink back', async () => {
  await withControllers(async ({ h }) => {
    await h.create(svc('web', webSpec));
    for (let i = 0; i < 5; i++) await h.runPod(`p${i}`, { app: 'web' }, `10.9.0.${10 + i}`, true);
    await h.waitFor('three slices', () => slicesOf(h, 'web').length === 3 && slicesOf(h, 'web').reduce((n, s) => n + (s.endpoints as unknown[]).length, 0) === 5);
    for (let i = 0; i < 4; i++) await h.remove(h.get('pods', `default/p${i}`)!);
    await h.waitFor('one slice', () => slicesOf(h, 'web').length === 1 && (slicesOf(h, 'web')[0].endpoints as unknown[]).length === 1);
  }, 2);
});

test('LoadBalancer Services get the node as ingress; it is cleared when the type changes', async () => {
  await withControllers(async ({ h }) => {
    await h.create(svc('lb', { ...webSpec, type: 'LoadBalancer' }));
    const ingress = (o: KubeObject | undefined) => (o?.status as { loadBalancer?: { ingress?: unknown[] } } | undefined)?.loadBalancer?.ingress;
    assert.deepEqual(await h.waitFor('ingress', () => ingress(h.get('services', 'default/lb'))), [{ ip: '10.5.0.1', ipMode: 'VIP' }]);
    const lb = h.get('services', 'default/lb')!;
    await h.update({ ...lb, spec: { ...(lb.spec as object), type: 'ClusterIP', externalTrafficPolicy: undefined, allocateLoadBalancerNodePorts: undefined } });
    await h.waitFor('ingress cleared', () => ingress(h.get('services', 'default/lb')) === undefined);
  });
});

test('the kubernetes Service points at the API server, and is put back when deleted', async () => {
  await withControllers(async ({ h }) => {
    const k = await h.waitFor('kubernetes service', () => h.get('services', 'default/kubernetes'));
    const spec = k.spec as { clusterIP: string; ports: unknown[] };
    assert.equal(spec.clusterIP, '10.96.0.1');
    assert.deepEqual(spec.ports, [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }]);
    assert.deepEqual(k.metadata.labels, { component: 'apiserver', provider: 'kubernetes' });
    const eps = await h.waitFor('kubernetes endpoints', () => h.get('endpoints', 'default/kubernetes'));
    assert.deepEqual(eps.subsets, [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }]);
    const slice = await h.waitFor('kubernetes slice', () => h.get('discovery.k8s.io/endpointslices', 'default/kubernetes'));
    assert.deepEqual(slice.endpoints, [{ addresses: ['127.0.0.1'], conditions: { ready: true } }]);
    await h.remove(k);
    await h.waitFor('kubernetes service back', () => h.get('services', 'default/kubernetes')?.metadata.uid !== k.metadata.uid && h.get('services', 'default/kubernetes'));
    // The Service has no selector: the endpoints controllers leave its Endpoints alone.
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(h.get('endpoints', 'default/kubernetes')?.subsets, eps.subsets);
  });
});
