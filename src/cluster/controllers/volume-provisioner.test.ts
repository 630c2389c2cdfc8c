import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '../objects.js';
import { parseQuantity, VolumeProvisioner } from './volume-provisioner.js';
import { eventually, startHarness, type Harness } from './stateful/test-harness.js';

function claim(name: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec } };
}

const phase = (o: KubeObject | undefined): string | undefined => (o?.status as { phase?: string } | undefined)?.phase;

describe('VolumeProvisioner', () => {
  let h: Harness;
  let volumesDir: string;

  before(async () => {
    h = await startHarness();
    volumesDir = path.join(h.dir, 'volumes');
    const provisioner = new VolumeProvisioner(h.store, h.registry, h.service, h.onError, h.recorder, { volumesDir });
    provisioner.start();
    h.track(provisioner);
  });

  after(async () => {
    await h.dispose();
  });

  test('creates the default StorageClass when there is none', async () => {
    const sc = await eventually('StorageClass standard', () => h.get('storage.k8s.io/v1', 'storageclasses', 'standard'));
    assert.equal(sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'], 'true');
    assert.equal(sc.provisioner, 'argosy.io/local-path');
    assert.equal(sc.reclaimPolicy, 'Delete');
    assert.equal(sc.volumeBindingMode, 'Immediate');
  });

  test('a claim without a class gets a hostPath PV of the default class; both are Bound', async () => {
    const created = await h.create('v1', 'persistentvolumeclaims', claim('data', { accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] }));
    const bound = await eventually('claim Bound', () => {
      const c = h.get('v1', 'persistentvolumeclaims', 'data');
      return phase(c) === 'Bound' ? c : undefined;
    });
    const pvName = `pvc-${created.metadata.uid}`;
    const spec = bound.spec as { volumeName?: string };
    assert.equal(spec.volumeName, pvName);
    assert.deepEqual(bound.status, { phase: 'Bound', accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], capacity: { storage: '1Gi' } });
    assert.equal(bound.metadata.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(bound.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'], 'argosy.io/local-path');
    assert.ok(bound.metadata.finalizers?.includes('kubernetes.io/pvc-protection'));
    const pv = h.get('v1', 'persistentvolumes', pvName)!;
    const pvSpec = pv.spec as Record<string, unknown> & { claimRef: { name: string; namespace: string; uid: string }; hostPath: { path: string } };
    assert.equal(phase(pv), 'Bound');
    assert.deepEqual(pvSpec.capacity, { storage: '1Gi' });
    assert.deepEqual(pvSpec.accessModes, ['ReadWriteOnce', 'ReadOnlyMany']);
    assert.equal(pvSpec.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(pvSpec.storageClassName, 'standard');
    assert.deepEqual([pvSpec.claimRef.namespace, pvSpec.claimRef.name, pvSpec.claimRef.uid], ['default', 'data', created.metadata.uid]);
    assert.equal(pvSpec.hostPath.path, path.join(volumesDir, pvName));
    assert.equal(pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'argosy.io/local-path');
    assert.ok(fs.statSync(pvSpec.hostPath.path).isDirectory());
  });

  test('a claim of a class that does not exist stays Pending with ProvisioningFailed naming the class, until the class appears', async () => {
    await h.create('v1', 'persistentvolumeclaims', claim('fast-data', { storageClassName: 'fast' }));
    const event = await eventually('ProvisioningFailed', () => h.events('ProvisioningFailed').find((e) => (e.involvedObject as { name: string }).name === 'fast-data'));
    assert.equal(event.message, 'storageclass.storage.k8s.io "fast" not found');
    assert.equal(event.type, 'Warning');
    assert.equal(phase(h.get('v1', 'persistentvolumeclaims', 'fast-data')), 'Pending');
    await h.create('storage.k8s.io/v1', 'storageclasses', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'argosy.io/local-path', reclaimPolicy: 'Retain' });
    const bound = await eventually('Bound once the class exists', () => {
      const c = h.get('v1', 'persistentvolumeclaims', 'fast-data');
      return phase(c) === 'Bound' ? c : undefined;
    });
    const pv = h.get('v1', 'persistentvolumes', (bound.spec as { volumeName: string }).volumeName)!;
    assert.equal((pv.spec as { persistentVolumeReclaimPolicy: string }).persistentVolumeReclaimPolicy, 'Retain');
  });

  test('a claim in use by a pod is protected; once the pod goes, the claim, its PV and its directory go', async () => {
    const created = await h.create('v1', 'persistentvolumeclaims', claim('scratch'));
    await eventually('Bound', () => phase(h.get('v1', 'persistentvolumeclaims', 'scratch')) === 'Bound');
    const pvName = `pvc-${created.metadata.uid}`;
    const dir = path.join(volumesDir, pvName);
    fs.writeFileSync(path.join(dir, 'file'), 'data');
    h.kubelet.fate = () => 'Running';
    await h.create('v1', 'pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'user' },
      spec: { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'scratch' } }] },
    });
    await eventually('pod running', () => phase(h.get('v1', 'pods', 'user')) === 'Running');
    await h.remove('v1', 'persistentvolumeclaims', 'scratch');
    await new Promise((r) => setTimeout(r, 100));
    const terminating = h.get('v1', 'persistentvolumeclaims', 'scratch');
    assert.ok(terminating?.metadata.deletionTimestamp, 'still there, being deleted');
    assert.ok(fs.existsSync(dir));
    await h.remove('v1', 'pods', 'user');
    await eventually('claim gone', () => h.get('v1', 'persistentvolumeclaims', 'scratch') === undefined);
    await eventually('PV gone', () => h.get('v1', 'persistentvolumes', pvName) === undefined);
    assert.equal(fs.existsSync(dir), false, 'the directory is reclaimed');
  });

  test('a static PV of a matching class binds; with Retain it is Released and its directory kept', async () => {
    const hostDir = fs.mkdtempSync(path.join(h.dir, 'static-'));
    await h.create('v1', 'persistentvolumes', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'manual-pv' },
      spec: { storageClassName: 'manual', capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: hostDir } },
    });
    await eventually('Available', () => phase(h.get('v1', 'persistentvolumes', 'manual-pv')) === 'Available');
    await h.create('v1', 'persistentvolumeclaims', claim('manual-claim', { storageClassName: 'manual', resources: { requests: { storage: '2Gi' } } }));
    const bound = await eventually('Bound', () => {
      const c = h.get('v1', 'persistentvolumeclaims', 'manual-claim');
      return phase(c) === 'Bound' ? c : undefined;
    });
    assert.equal((bound.spec as { volumeName: string }).volumeName, 'manual-pv');
    assert.deepEqual((bound.status as { capacity: unknown }).capacity, { storage: '5Gi' });
    await h.remove('v1', 'persistentvolumeclaims', 'manual-claim');
    await eventually('Released', () => phase(h.get('v1', 'persistentvolumes', 'manual-pv')) === 'Released');
    assert.ok(fs.existsSync(hostDir));
  });

  test('quantities', () => {
    assert.equal(parseQuantity('1Gi'), 2 ** 30);
    assert.equal(parseQuantity('500M'), 5e8);
    assert.equal(parseQuantity('1e3'), 1000);
    assert.equal(parseQuantity('bogus'), 0);
  });
});

describe('VolumeProvisioner with a StorageClass already present', () => {
  test('does not add its own default', async () => {
    const h = await startHarness({ kubelet: false });
    try {
      await h.create('storage.k8s.io/v1', 'storageclasses', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'theirs' }, provisioner: 'example.com/nfs' });
      const provisioner = new VolumeProvisioner(h.store, h.registry, h.service, h.onError, h.recorder, { volumesDir: path.join(h.dir, 'v') });
      provisioner.start();
      h.track(provisioner);
      await h.create('v1', 'persistentvolumeclaims', claim('nfs', { storageClassName: 'theirs' }));
      const event = await eventually('ExternalProvisioning', () => h.events('ExternalProvisioning')[0]);
      assert.match(event.message as string, /^Waiting for a volume to be created either by the external provisioner 'example.com\/nfs'/);
      assert.deepEqual(h.list('storage.k8s.io/v1', 'storageclasses').map((s) => s.metadata.name), ['theirs']);
      assert.equal(phase(h.get('v1', 'persistentvolumeclaims', 'nfs')), 'Pending');
    } finally {
      await h.dispose();
    }
  });
});
