import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { KubeObject } from '../objects.js';
import type { Volume } from './types.js';
import { PodVolumes, VolumeError, volumeDependencies, type StorageLookup } from './volumes.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'argosy-volumes-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const configMaps = new Map<string, { data?: Record<string, string>; binaryData?: Record<string, string> }>([['ns/app-config', { data: { 'app.yaml': 'port: 8080\n', 'log.level': 'info' } }]]);
const secrets = new Map([['ns/db', { data: { password: b64('hunter2') } }]]);
const claims = new Map<string, KubeObject>();
const pvs = new Map<string, KubeObject>();
const lookup: StorageLookup = {
  configMap: (ns, name) => configMaps.get(`${ns}/${name}`),
  secret: (ns, name) => secrets.get(`${ns}/${name}`),
  persistentVolumeClaim: (ns, name) => claims.get(`${ns}/${name}`),
  persistentVolume: (name) => pvs.get(name),
};

let n = 0;
function volumesFor(volumes: Volume[], labels: Record<string, string> = { app: 'web' }): PodVolumes {
  const pod: KubeObject = {
    metadata: { name: 'web', namespace: 'ns', uid: `uid-${n}`, labels },
    spec: { serviceAccountName: 'robot', containers: [{ name: 'app', resources: { limits: { memory: '64Mi' } } }], volumes },
  };
  const podDir = path.join(root, `pod-${n++}`);
  return new PodVolumes({ pod, podDir, lookup, node: { cpu: 2, memory: 2 ** 30, ephemeralStorage: 2 ** 34 }, podIP: '10.1.0.4', hostIP: '10.1.0.1', nodeName: 'argosy' });
}

const read = (dir: string, file: string): string => fs.readFileSync(path.join(dir, file), 'utf8');
const mode = (dir: string, file: string): number => fs.statSync(path.join(dir, file)).mode & 0o777;

describe('projected content', () => {
  test('configMap: every key, or the listed items with their modes, through ..data', async () => {
    const all = (await volumesFor([{ name: 'cfg', configMap: { name: 'app-config', defaultMode: 0o640 } }]).setUp()).get('cfg')!;
    assert.equal(all.readOnly, true);
    assert.equal(read(all.hostPath, 'app.yaml'), 'port: 8080\n');
    assert.equal(mode(all.hostPath, 'log.level'), 0o640);
    assert.equal(fs.readlinkSync(path.join(all.hostPath, 'app.yaml')), '..data/app.yaml');
    assert.match(fs.readlinkSync(path.join(all.hostPath, '..data')), /^\.\.\d{4}_\d\d_\d\d_/);

    const items = (await volumesFor([{ name: 'cfg', configMap: { name: 'app-config', items: [{ key: 'app.yaml', path: 'conf/app.yaml', mode: 0o600 }] } }]).setUp()).get('cfg')!;
    assert.equal(read(items.hostPath, 'conf/app.yaml'), 'port: 8080\n');
    assert.equal(mode(items.hostPath, 'conf/app.yaml'), 0o600);
    assert.equal(fs.existsSync(path.join(items.hostPath, 'log.level')), false);
  });

  test('a refresh swaps the content at once and drops removed keys', async () => {
    configMaps.set('ns/live', { data: { a: '1', b: '2' } });
    const vols = volumesFor([{ name: 'cfg', configMap: { name: 'live' } }]);
    const dir = (await vols.setUp()).get('cfg')!.hostPath;
    const first = fs.readlinkSync(path.join(dir, '..data'));
    configMaps.set('ns/live', { data: { a: '10' } });
    await vols.refresh();
    assert.equal(read(dir, 'a'), '10');
    assert.equal(fs.existsSync(path.join(dir, 'b')), false);
    assert.equal(fs.existsSync(path.join(dir, first)), false);
    const second = fs.readlinkSync(path.join(dir, '..data'));
    await vols.refresh();
    assert.equal(fs.readlinkSync(path.join(dir, '..data')), second, 'unchanged content is not rewritten');
  });

  test('secret values are decoded; missing sources fail unless optional', async () => {
    const dir = (await volumesFor([{ name: 's', secret: { secretName: 'db' } }]).setUp()).get('s')!.hostPath;
    assert.equal(read(dir, 'password'), 'hunter2');
    const optional = (await volumesFor([{ name: 's', secret: { secretName: 'nope', optional: true } }]).setUp()).get('s')!.hostPath;
    assert.deepEqual(fs.readdirSync(optional).filter((e) => !e.startsWith('..')), []);
    await assert.rejects(volumesFor([{ name: 's', secret: { secretName: 'nope' } }]).setUp(), (e: unknown) => e instanceof VolumeError && e.volume === 's' && e.message === 'secret "nope" not found');
    await assert.rejects(volumesFor([{ name: 'c', configMap: { name: 'app-config', items: [{ key: 'missing', path: 'm' }] } }]).setUp(), /configmap references non-existent config key: missing/);
  });

  test('downwardAPI and projected sources (the service account token is a placeholder)', async () => {
    const vols = volumesFor([
      { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'mem', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } }] } },
      {
        name: 'all',
        projected: {
          sources: [
            { configMap: { name: 'app-config', items: [{ key: 'log.level', path: 'level' }] } },
            { secret: { name: 'db' } },
            { downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
            { serviceAccountToken: { path: 'token' } },
          ],
        },
      },
    ]);
    const mounted = await vols.setUp();
    const info = mounted.get('info')!.hostPath;
    assert.equal(read(info, 'labels'), 'app="web"');
    assert.equal(read(info, 'mem'), '64');
    const all = mounted.get('all')!.hostPath;
    assert.deepEqual([read(all, 'level'), read(all, 'password'), read(all, 'name')], ['info', 'hunter2', 'web']);
    assert.match(read(all, 'token'), /^argosy-placeholder-token:ns:robot$/);
  });
});

describe('host storage', () => {
  test('emptyDir is a writable directory', async () => {
    const v = (await volumesFor([{ name: 'scratch', emptyDir: {} }]).setUp()).get('scratch')!;
    assert.equal(v.readOnly, false);
    assert.ok(fs.statSync(v.hostPath).isDirectory());
    assert.match(v.hostPath, /volumes\/kubernetes\.io~empty-dir\/scratch$/);
  });

  test('hostPath types are checked (and created where asked)', async () => {
    const made = path.join(root, 'host', 'made');
    assert.equal((await volumesFor([{ name: 'h', hostPath: { path: made, type: 'DirectoryOrCreate' } }]).setUp()).get('h')!.hostPath, made);
    assert.ok(fs.statSync(made).isDirectory());
    const file = path.join(root, 'host', 'file.txt');
    await volumesFor([{ name: 'h', hostPath: { path: file, type: 'FileOrCreate' } }]).setUp();
    assert.ok(fs.statSync(file).isFile());
    await assert.rejects(volumesFor([{ name: 'h', hostPath: { path: file, type: 'Directory' } }]).setUp(), { message: `hostPath type check failed: ${file} is not a directory` });
    await assert.rejects(volumesFor([{ name: 'h', hostPath: { path: path.join(root, 'absent'), type: 'File' } }]).setUp(), /is not a file/);
  });

  test('a claim must be bound to a PV with a host path', async () => {
    const vol: Volume[] = [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }];
    await assert.rejects(volumesFor(vol).setUp(), (e: unknown) => e instanceof VolumeError && e.pending && /persistentvolumeclaims "data" not found/.test(e.message));
    claims.set('ns/data', { metadata: { name: 'data', namespace: 'ns' }, spec: {}, status: { phase: 'Pending' } });
    await assert.rejects(volumesFor(vol).setUp(), { message: 'error processing PVC ns/data: PVC is not bound' });
    const pvDir = path.join(root, 'pv-1');
    fs.mkdirSync(pvDir);
    claims.set('ns/data', { metadata: { name: 'data', namespace: 'ns' }, spec: { volumeName: 'pv-1' }, status: { phase: 'Bound' } });
    pvs.set('pv-1', { metadata: { name: 'pv-1' }, spec: { capacity: { storage: '1Gi' }, local: { path: pvDir } } });
    assert.equal((await volumesFor(vol).setUp()).get('data')!.hostPath, pvDir);
    pvs.set('pv-1', { metadata: { name: 'pv-1' }, spec: { capacity: { storage: '1Gi' }, nfs: { server: 'x', path: '/' } } });
    await assert.rejects(volumesFor(vol).setUp(), /volume source "nfs" of PersistentVolume pv-1 is not supported/);
  });

  test('an unsupported source is an error naming the volume and the source', async () => {
    await assert.rejects(volumesFor([{ name: 'share', nfs: { server: 'nfs.local', path: '/export' } }]).setUp(), (e: unknown) => e instanceof VolumeError && e.volume === 'share' && /volume source "nfs" is not supported/.test(e.message));
  });
});

test('dependencies name the ConfigMaps, Secrets and claims a pod reads', () => {
  const pod: KubeObject = {
    metadata: { name: 'p' },
    spec: {
      containers: [],
      volumes: [
        { name: 'a', configMap: { name: 'cm' } },
        { name: 'b', secret: { secretName: 's' } },
        { name: 'c', persistentVolumeClaim: { claimName: 'pvc' } },
        { name: 'd', projected: { sources: [{ configMap: { name: 'cm2' } }] } },
        { name: 'e', ephemeral: { volumeClaimTemplate: {} } },
      ],
    },
  };
  assert.deepEqual([...volumeDependencies(pod)].sort(), ['configmap/cm', 'configmap/cm2', 'pvc/p-e', 'pvc/pvc', 'secret/s']);
});
