import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../objects.js';
import { ConfigError, expandCommand, expandVars, resolveContainerEnv, resourceFieldValue, serviceEnvVars, type ConfigLookup, type EnvContext } from './env.js';
import type { ContainerSpec, PodSpec } from './types.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

const lookup: ConfigLookup = {
  configMap: (ns, name) => (ns === 'prod' && name === 'cfg' ? { data: { mode: 'fast', 'log.level': 'debug', 'bad=key': 'x' }, binaryData: { blob: b64('bin') } } : undefined),
  secret: (ns, name) => (ns === 'prod' && name === 'creds' ? { data: { password: b64('s3cret') } } : undefined),
};

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'prod', uid: 'u-1', labels: { app: 'web', tier: 'front' }, annotations: { note: 'hi' } },
  spec: {
    nodeName: 'argosy',
    serviceAccountName: 'builder',
    containers: [{ name: 'app', resources: { limits: { cpu: '1500m', memory: '256Mi' }, requests: { cpu: '250m' } } }, { name: 'side' }],
  },
};

function ctx(overrides: Partial<EnvContext> = {}): EnvContext {
  return {
    pod,
    lookup,
    node: { cpu: 4, memory: 8 * 2 ** 30, ephemeralStorage: 100 * 2 ** 30 },
    serviceEnv: { DB_SERVICE_HOST: '10.96.0.7' },
    podIP: '10.244.0.5',
    hostIP: '192.168.1.2',
    nodeName: 'argosy',
    ...overrides,
  };
}

function env(container: Partial<ContainerSpec>, c = ctx()): Record<string, string> {
  return Object.fromEntries(resolveContainerEnv({ name: 'app', ...container }, c).env);
}

describe('expandVars', () => {
  const vars: Record<string, string> = { A: 'alpha', B: 'beta', EMPTY: '' };
  const x = (s: string): string => expandVars(s, (n) => vars[n]);

  test('replaces known references and keeps unknown ones as written', () => {
    assert.equal(x('$(A)-$(B)'), 'alpha-beta');
    assert.equal(x('[$(EMPTY)]'), '[]');
    assert.equal(x('$(MISSING) stays'), '$(MISSING) stays');
  });

  test('$$ escapes, a lone $ and unterminated references are literal', () => {
    assert.equal(x('$$(A)'), '$(A)');
    assert.equal(x('$$$(A)'), '$alpha');
    assert.equal(x('cost: $5 and $A'), 'cost: $5 and $A');
    assert.equal(x('open $(A'), 'open $(A');
    assert.equal(x('trailing $'), 'trailing $');
    assert.equal(x('no refs'), 'no refs');
  });

  test('command and args expand against the final environment', () => {
    assert.deepEqual(expandCommand(['echo', '$(GREETING)', '$$(GREETING)'], new Map([['GREETING', 'hello']])), ['echo', 'hello', '$(GREETING)']);
  });
});

describe('resolveContainerEnv', () => {
  test('plain values expand over earlier variables and the service variables', () => {
    const e = env({ env: [{ name: 'HOST', value: '$(DB_SERVICE_HOST)' }, { name: 'URL', value: 'http://$(HOST):5432/$(LATER)' }, { name: 'LATER', value: 'x' }] });
    assert.equal(e.HOST, '10.96.0.7');
    assert.equal(e.URL, 'http://10.96.0.7:5432/$(LATER)');
    assert.equal(e.DB_SERVICE_HOST, '10.96.0.7');
  });

  test('configMapKeyRef and secretKeyRef read and decode values', () => {
    const e = env({
      env: [
        { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
        { name: 'BLOB', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'blob' } } },
        { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
        { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'absent', optional: true } } },
      ],
    });
    assert.equal(e.MODE, 'fast');
    assert.equal(e.BLOB, 'bin');
    assert.equal(e.PASSWORD, 's3cret');
    assert.equal('OPT' in e, false);
  });

  test('missing ConfigMaps, Secrets and keys are ConfigErrors worded as Kubernetes words them', () => {
    const cases: [ContainerSpec['env'], string][] = [
      [[{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }], 'configmap "nope" not found'],
      [[{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }], "couldn't find key k in ConfigMap prod/cfg"],
      [[{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }], 'secret "nope" not found'],
      [[{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'user' } } }], "couldn't find key user in Secret prod/creds"],
    ];
    for (const [vars, message] of cases) {
      assert.throws(() => env({ env: vars }), (err: unknown) => err instanceof ConfigError && err.message === message);
    }
  });

  test('fieldRef reads pod metadata, spec and addresses', () => {
    const e = env({
      env: [
        { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'NOTE', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['note']" } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'LABELS', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } },
      ],
    });
    assert.deepEqual(
      { ...e, DB_SERVICE_HOST: undefined },
      {
        NAME: 'web-1',
        NS: 'prod',
        UID: 'u-1',
        APP: 'web',
        NOTE: 'hi',
        NODE: 'argosy',
        SA: 'builder',
        POD_IP: '10.244.0.5',
        HOST_IP: '192.168.1.2',
        LABELS: 'app="web"\ntier="front"',
        DB_SERVICE_HOST: undefined,
      },
    );
    assert.throws(() => env({ env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.bogus' } } }] }), /unsupported fieldPath: spec.bogus/);
  });

  test('resourceFieldRef divides by the divisor, rounds up, and falls back to node allocatable', () => {
    const spec = pod.spec as PodSpec;
    const node = ctx().node;
    assert.equal(resourceFieldValue(spec, { resource: 'limits.cpu' }, 'app', node), '2');
    assert.equal(resourceFieldValue(spec, { resource: 'limits.cpu', divisor: '1m' }, 'app', node), '1500');
    assert.equal(resourceFieldValue(spec, { resource: 'requests.cpu', divisor: '1m' }, 'app', node), '250');
    assert.equal(resourceFieldValue(spec, { resource: 'limits.memory', divisor: '1Mi' }, 'app', node), '256');
    assert.equal(resourceFieldValue(spec, { resource: 'limits.memory' }, 'app', node), String(256 * 2 ** 20));
    assert.equal(resourceFieldValue(spec, { resource: 'limits.cpu' }, 'side', node), '4');
    assert.equal(resourceFieldValue(spec, { resource: 'limits.memory', divisor: '1Gi' }, 'side', node), '8');
    assert.equal(resourceFieldValue(spec, { containerName: 'app', resource: 'requests.memory' }, 'side', node), '0');
    assert.throws(() => resourceFieldValue(spec, { resource: 'limits.gpu' }, 'app', node), /unsupported container resource/);
  });

  test('envFrom adds prefixed keys, env overrides them, invalid names are skipped with a warning', () => {
    const r = resolveContainerEnv(
      { name: 'app', envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { secretRef: { name: 'creds' } }, { configMapRef: { name: 'absent', optional: true } }], env: [{ name: 'CFG_mode', value: 'slow' }] },
      ctx(),
    );
    const e = Object.fromEntries(r.env);
    assert.equal(e.CFG_mode, 'slow');
    assert.equal(e['CFG_log.level'], 'debug');
    assert.equal(e.password, 's3cret');
    assert.equal('CFG_bad=key' in e, false);
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0], /Keys \[bad=key\] from the EnvFrom configMap prod\/cfg were skipped/);
    assert.throws(() => env({ envFrom: [{ secretRef: { name: 'absent' } }] }), /secret "absent" not found/);
  });
});

describe('serviceEnvVars', () => {
  test('Docker-link variables for each Service with a cluster IP', () => {
    const e = serviceEnvVars([
      { metadata: { name: 'kubernetes' }, spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] } },
      { metadata: { name: 'my-db' }, spec: { clusterIP: '10.96.0.9', ports: [{ port: 5432 }] } },
      { metadata: { name: 'headless' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } },
    ]);
    assert.equal(e.KUBERNETES_SERVICE_HOST, '10.96.0.1');
    assert.equal(e.KUBERNETES_SERVICE_PORT, '443');
    assert.equal(e.KUBERNETES_SERVICE_PORT_HTTPS, '443');
    assert.equal(e.KUBERNETES_PORT, 'tcp://10.96.0.1:443');
    assert.equal(e.KUBERNETES_PORT_443_TCP_ADDR, '10.96.0.1');
    assert.equal(e.MY_DB_SERVICE_HOST, '10.96.0.9');
    assert.equal(e.MY_DB_PORT_5432_TCP, 'tcp://10.96.0.9:5432');
    assert.equal(Object.keys(e).some((k) => k.startsWith('HEADLESS')), false);
  });
});
