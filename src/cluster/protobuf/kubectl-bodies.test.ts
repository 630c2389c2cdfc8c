/**
 * The decoder against real kubectl (1.32 and 1.35) bodies: a tiny HTTP server on 127.0.0.1 serves
 * legacy discovery, records every request body, and answers writes with a small JSON object of the
 * right kind. kubectl's typed clients send `application/vnd.kubernetes.protobuf`; each recorded
 * body must decode to the JSON the command means.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonObject, KubeObject } from '../objects.js';
import { decodeKubernetesProtobuf, isKubernetesProtobuf } from './index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const KUBECTLS = ['1.32', '1.35']
  .map((v) => ({ version: v, bin: path.join(repoRoot, `.tools/kubectl-${v}/kubectl`) }))
  .filter((k) => existsSync(k.bin));

interface Res {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
  group?: string;
  version?: string;
}

const ALL = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const GROUPS: Record<string, Res[]> = {
  v1: [
    { name: 'namespaces', kind: 'Namespace', namespaced: false },
    { name: 'configmaps', kind: 'ConfigMap', namespaced: true },
    { name: 'secrets', kind: 'Secret', namespaced: true },
    { name: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
    { name: 'serviceaccounts/token', kind: 'TokenRequest', namespaced: true, verbs: ['create'] },
    { name: 'services', kind: 'Service', namespaced: true },
    { name: 'pods', kind: 'Pod', namespaced: true },
    { name: 'pods/eviction', kind: 'Eviction', namespaced: true, verbs: ['create'], group: 'policy', version: 'v1' },
    { name: 'resourcequotas', kind: 'ResourceQuota', namespaced: true },
    { name: 'nodes', kind: 'Node', namespaced: false },
  ],
  'apps/v1': [
    { name: 'deployments', kind: 'Deployment', namespaced: true },
    { name: 'replicasets', kind: 'ReplicaSet', namespaced: true },
  ],
  'batch/v1': [
    { name: 'jobs', kind: 'Job', namespaced: true },
    { name: 'cronjobs', kind: 'CronJob', namespaced: true },
  ],
  'rbac.authorization.k8s.io/v1': [
    { name: 'roles', kind: 'Role', namespaced: true },
    { name: 'clusterroles', kind: 'ClusterRole', namespaced: false },
    { name: 'rolebindings', kind: 'RoleBinding', namespaced: true },
    { name: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false },
  ],
  'networking.k8s.io/v1': [{ name: 'ingresses', kind: 'Ingress', namespaced: true }],
  'policy/v1': [{ name: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true }],
  'scheduling.k8s.io/v1': [{ name: 'priorityclasses', kind: 'PriorityClass', namespaced: false }],
  'authorization.k8s.io/v1': [
    { name: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview', namespaced: false, verbs: ['create'] },
    { name: 'selfsubjectrulesreviews', kind: 'SelfSubjectRulesReview', namespaced: false, verbs: ['create'] },
  ],
  'authentication.k8s.io/v1': [{ name: 'selfsubjectreviews', kind: 'SelfSubjectReview', namespaced: false, verbs: ['create'] }],
};

interface Recorded {
  method: string;
  url: string;
  contentType: string;
  body: Buffer;
}

const CRONJOB: JsonObject = {
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'cj', namespace: 'default', uid: '3f1d2c4b-0000-4000-8000-000000000001' },
  spec: {
    schedule: '*/5 * * * *',
    jobTemplate: {
      metadata: { labels: { team: 'a' } },
      spec: {
        backoffLimit: 2,
        template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox', command: ['echo', 'hi'] }] } },
      },
    },
  },
};

const NODE: JsonObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: '3f1d2c4b-0000-4000-8000-000000000003' }, spec: {} };
const DRAINED_POD: JsonObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-1',
    namespace: 'default',
    uid: '3f1d2c4b-0000-4000-8000-000000000004',
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: '3f1d2c4b-0000-4000-8000-000000000005', controller: true }],
  },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }] },
  status: { phase: 'Running' },
};

/** What `kubectl drain n1` reads: the node, the pods on it, and (after the eviction) the pod gone. */
function drainAnswer(method: string, pathname: string): { code: number; body: JsonObject } | undefined {
  if (pathname === '/api/v1/nodes/n1' && (method === 'GET' || method === 'PATCH')) return { code: 200, body: NODE };
  if (pathname === '/api/v1/pods' && method === 'GET') return { code: 200, body: { apiVersion: 'v1', kind: 'PodList', metadata: {}, items: [DRAINED_POD] } };
  if (pathname === '/apis/apps/v1/namespaces/default/replicasets/web' && method === 'GET') {
    return { code: 200, body: { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'default' }, spec: { selector: {} } } };
  }
  return undefined;
}

/** The JSON answer to a write: a minimal object of the kind the path names. */
function answer(method: string, pathname: string): { code: number; body: JsonObject } | undefined {
  const m = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?$/.exec(pathname);
  if (!m) return undefined;
  const gv = m[1] ?? m[2];
  const [, , , ns, resource, name, sub] = m;
  const res = GROUPS[gv]?.find((r) => r.name === (sub ? `${resource}/${sub}` : resource));
  if (!res) return undefined;
  if (method === 'GET' && resource === 'cronjobs' && name === 'cj') return { code: 200, body: CRONJOB };
  if (method !== 'POST') return undefined;
  const metadata: JsonObject = { name: name ?? 'echo', uid: '3f1d2c4b-0000-4000-8000-000000000002', creationTimestamp: '2024-01-01T00:00:00Z' };
  if (ns && res.namespaced) metadata.namespace = ns;
  const body: JsonObject = { apiVersion: res.kind === 'TokenRequest' ? 'authentication.k8s.io/v1' : gv, kind: res.kind, metadata };
  if (res.kind === 'SelfSubjectAccessReview') body.status = { allowed: true };
  if (res.kind === 'SelfSubjectRulesReview') body.status = { resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], nonResourceRules: [], incomplete: false };
  if (res.kind === 'SelfSubjectReview') body.status = { userInfo: { username: 'tester', groups: ['system:authenticated'] } };
  if (res.kind === 'TokenRequest') body.status = { token: 'header.payload.signature', expirationTimestamp: '2030-01-01T00:00:00Z' };
  if (res.kind === 'Eviction') return { code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
  return { code: 201, body };
}

function discovery(pathname: string, port: number): JsonObject | undefined {
  if (pathname === '/version') return { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' };
  if (pathname === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }] };
  if (pathname === '/apis') {
    const groups = Object.keys(GROUPS)
      .filter((gv) => gv.includes('/'))
      .map((gv) => {
        const [name, version] = gv.split('/');
        return { name, versions: [{ groupVersion: gv, version }], preferredVersion: { groupVersion: gv, version } };
      });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  const gv = pathname === '/api/v1' ? 'v1' : pathname.startsWith('/apis/') ? pathname.slice('/apis/'.length) : '';
  const resources = GROUPS[gv];
  if (!resources) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv,
    resources: resources.map((r) => ({
      name: r.name,
      singularName: r.name.includes('/') ? '' : r.kind.toLowerCase(),
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs ?? ALL,
      ...(r.group !== undefined ? { group: r.group, version: r.version ?? '' } : {}),
    })),
  };
}

let server: Server;
let port = 0;
let dir = '';
const recorded: Recorded[] = [];

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'argosy-pb-kubectl-'));
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = Buffer.concat(chunks);
      if (body.length > 0) recorded.push({ method: req.method ?? '', url: url.pathname, contentType: req.headers['content-type'] ?? '', body });
      const send = (code: number, json: JsonObject): void => {
        const text = JSON.stringify(json);
        res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
      };
      const d = req.method === 'GET' ? discovery(url.pathname, port) : undefined;
      if (d) return send(200, d);
      const a = drainAnswer(req.method ?? '', url.pathname) ?? answer(req.method ?? '', url.pathname);
      if (a) return send(a.code, a.body);
      send(404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404, message: `${url.pathname} not found` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const kubeconfig = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: t',
    '  cluster:',
    `    server: http://127.0.0.1:${port}`,
    'users:',
    '- name: u',
    '  user: {}',
    'contexts:',
    '- name: t',
    '  context: {cluster: t, user: u, namespace: default}',
    'current-context: t',
    '',
  ].join('\n');
  await writeFile(path.join(dir, 'kubeconfig'), kubeconfig);
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

function kubectl(bin: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      bin,
      args,
      {
        env: { PATH: '/usr/bin:/bin', HOME: dir, KUBECONFIG: path.join(dir, 'kubeconfig'), KUBECACHEDIR: path.join(dir, 'cache') },
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Runs the command and returns the decoded protobuf body it sent to `urlPath` (with POST). */
async function bodyOf(bin: string, args: string[], urlPath: string, okCodes: number[] = [0]): Promise<KubeObject> {
  const sent = await sentBody(bin, args, urlPath, okCodes);
  assert.ok(isKubernetesProtobuf(sent.contentType), `kubectl sent ${sent.contentType}, not protobuf`);
  return decodeKubernetesProtobuf(sent.body);
}

/** A recorded body as JSON, whichever encoding kubectl chose. */
function objectOf(sent: Recorded): KubeObject {
  if (isKubernetesProtobuf(sent.contentType)) return decodeKubernetesProtobuf(sent.body);
  assert.equal(sent.contentType, 'application/json');
  return JSON.parse(sent.body.toString('utf8')) as KubeObject;
}

async function sentBody(bin: string, args: string[], urlPath: string, okCodes: number[] = [0]): Promise<Recorded> {
  const from = recorded.length;
  const r = await kubectl(bin, args);
  assert.ok(okCodes.includes(r.code), `kubectl ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  const sent = recorded.slice(from).filter((x) => x.url === urlPath && x.method === 'POST');
  assert.equal(sent.length, 1, `expected one POST to ${urlPath}; saw ${recorded.slice(from).map((x) => `${x.method} ${x.url}`).join(', ') || 'none'}`);
  return sent[0];
}

/** A typed reading of nested JSON for assertions. */
function at(obj: unknown, ...keys: (string | number)[]): unknown {
  let v: unknown = obj;
  for (const k of keys) v = v === null || typeof v !== 'object' ? undefined : (v as Record<string | number, unknown>)[k];
  return v;
}

for (const { version, bin } of KUBECTLS) {
  describe(`protobuf bodies from kubectl ${version}`, () => {
    const ns = '/api/v1/namespaces/default';

    test('create namespace', async () => {
      const o = await bodyOf(bin, ['create', 'namespace', 'demo'], '/api/v1/namespaces');
      assert.deepEqual(o, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo', creationTimestamp: null }, spec: {}, status: {} });
    });

    test('create configmap', async () => {
      const o = await bodyOf(bin, ['create', 'configmap', 'c', '--from-literal=a=b', '--from-literal=x=y z'], `${ns}/configmaps`);
      assert.deepEqual(o, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', creationTimestamp: null }, data: { a: 'b', x: 'y z' } });
    });

    test('create secret generic', async () => {
      const o = await bodyOf(bin, ['create', 'secret', 'generic', 's', '--from-literal=k=v'], `${ns}/secrets`);
      assert.deepEqual(o, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', creationTimestamp: null }, data: { k: 'dg==' } });
    });

    test('create secret docker-registry (type)', async () => {
      const o = await bodyOf(bin, ['create', 'secret', 'docker-registry', 'reg', '--docker-server=r.example', '--docker-username=u', '--docker-password=p'], `${ns}/secrets`);
      assert.equal(o.type, 'kubernetes.io/dockerconfigjson');
      const cfg = JSON.parse(Buffer.from(String(at(o, 'data', '.dockerconfigjson')), 'base64').toString('utf8')) as JsonObject;
      assert.equal(at(cfg, 'auths', 'r.example', 'username'), 'u');
    });

    test('create deployment', async () => {
      const o = await bodyOf(bin, ['create', 'deployment', 'd', '--image=nginx', '--replicas=2', '--port=80'], '/apis/apps/v1/namespaces/default/deployments');
      assert.equal(o.apiVersion, 'apps/v1');
      assert.equal(o.kind, 'Deployment');
      assert.deepEqual(o.metadata, { name: 'd', creationTimestamp: null, labels: { app: 'd' } });
      assert.equal(at(o, 'spec', 'replicas'), 2);
      assert.deepEqual(at(o, 'spec', 'selector'), { matchLabels: { app: 'd' } });
      assert.deepEqual(at(o, 'spec', 'strategy'), {});
      assert.deepEqual(at(o, 'spec', 'template', 'metadata'), { creationTimestamp: null, labels: { app: 'd' } });
      assert.deepEqual(at(o, 'spec', 'template', 'spec', 'containers'), [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }], resources: {} }]);
      assert.deepEqual(o.status, {});
    });

    test('create deployment --replicas=0 keeps the zero', async () => {
      const o = await bodyOf(bin, ['create', 'deployment', 'z', '--image=nginx', '--replicas=0'], '/apis/apps/v1/namespaces/default/deployments');
      assert.equal(at(o, 'spec', 'replicas'), 0);
    });

    test('create service clusterip (IntOrString targetPort)', async () => {
      const o = await bodyOf(bin, ['create', 'service', 'clusterip', 'svc', '--tcp=80:8080'], `${ns}/services`);
      assert.deepEqual(at(o, 'spec', 'ports'), [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }]);
      assert.deepEqual(at(o, 'spec', 'selector'), { app: 'svc' });
      assert.equal(at(o, 'spec', 'type'), 'ClusterIP');
    });

    test('create serviceaccount', async () => {
      const o = await bodyOf(bin, ['create', 'serviceaccount', 'sa'], `${ns}/serviceaccounts`);
      assert.deepEqual(o, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', creationTimestamp: null } });
    });

    test('create token', async () => {
      const o = await bodyOf(bin, ['create', 'token', 'sa', '--duration=10m', '--audience=a1'], `${ns}/serviceaccounts/sa/token`);
      assert.equal(o.kind, 'TokenRequest');
      assert.equal(o.apiVersion, 'authentication.k8s.io/v1');
      assert.deepEqual(o.spec, { audiences: ['a1'], expirationSeconds: 600 });
    });

    test('create quota', async () => {
      const o = await bodyOf(bin, ['create', 'quota', 'q', '--hard=pods=2,requests.cpu=500m,requests.memory=1Gi'], `${ns}/resourcequotas`);
      assert.deepEqual(at(o, 'spec', 'hard'), { pods: '2', 'requests.cpu': '500m', 'requests.memory': '1Gi' });
    });

    test('create job', async () => {
      const o = await bodyOf(bin, ['create', 'job', 'j', '--image=busybox', '--', 'echo', 'hi'], '/apis/batch/v1/namespaces/default/jobs');
      assert.equal(o.kind, 'Job');
      const pod = at(o, 'spec', 'template', 'spec');
      assert.equal(at(pod, 'restartPolicy'), 'Never');
      assert.deepEqual(at(pod, 'containers', 0, 'command'), ['echo', 'hi']);
      assert.equal(at(pod, 'containers', 0, 'image'), 'busybox');
    });

    test('create job --from=cronjob/cj', async () => {
      const o = await bodyOf(bin, ['create', 'job', 'manual', '--from=cronjob/cj'], '/apis/batch/v1/namespaces/default/jobs');
      assert.equal(at(o, 'metadata', 'name'), 'manual');
      assert.equal(at(o, 'metadata', 'annotations', 'cronjob.kubernetes.io/instantiate'), 'manual');
      assert.deepEqual(at(o, 'metadata', 'ownerReferences'), [
        { apiVersion: 'batch/v1', kind: 'CronJob', name: 'cj', uid: '3f1d2c4b-0000-4000-8000-000000000001', controller: true },
      ]);
      assert.equal(at(o, 'spec', 'backoffLimit'), 2);
      assert.deepEqual(at(o, 'spec', 'template', 'spec', 'containers', 0, 'command'), ['echo', 'hi']);
    });

    test('create cronjob', async () => {
      const o = await bodyOf(bin, ['create', 'cronjob', 'cron', '--image=busybox', '--schedule=*/1 * * * *'], '/apis/batch/v1/namespaces/default/cronjobs');
      assert.equal(at(o, 'spec', 'schedule'), '*/1 * * * *');
      assert.equal(at(o, 'spec', 'jobTemplate', 'metadata', 'name'), 'cron');
      assert.equal(at(o, 'spec', 'jobTemplate', 'spec', 'template', 'spec', 'restartPolicy'), 'OnFailure');
    });

    test('create role', async () => {
      const o = await bodyOf(bin, ['create', 'role', 'r', '--verb=get', '--verb=list', '--resource=pods', '--resource=deployments.apps'], '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles');
      assert.equal(o.kind, 'Role');
      assert.deepEqual(o.rules, [
        { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] },
        { verbs: ['get', 'list'], apiGroups: ['apps'], resources: ['deployments'] },
      ]);
    });

    test('create clusterrole with an aggregation rule', async () => {
      const o = await bodyOf(bin, ['create', 'clusterrole', 'agg', '--aggregation-rule=rbac.example.com/aggregate=true'], '/apis/rbac.authorization.k8s.io/v1/clusterroles');
      assert.deepEqual(o.aggregationRule, { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate': 'true' } }] });
    });

    test('create rolebinding and clusterrolebinding', async () => {
      const rb = await bodyOf(bin, ['create', 'rolebinding', 'rb', '--role=r', '--user=alice', '--serviceaccount=default:sa'], '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings');
      assert.deepEqual(rb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' });
      assert.deepEqual(rb.subjects, [
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
        { kind: 'ServiceAccount', name: 'sa', namespace: 'default' },
      ]);
      const crb = await bodyOf(bin, ['create', 'clusterrolebinding', 'crb', '--clusterrole=view', '--group=devs'], '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings');
      assert.deepEqual(crb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' });
      assert.deepEqual(crb.subjects, [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' }]);
    });

    test('create priorityclass with value 0', async () => {
      const o = await bodyOf(bin, ['create', 'priorityclass', 'pc', '--value=0', '--description=d', '--preemption-policy=Never'], '/apis/scheduling.k8s.io/v1/priorityclasses');
      assert.equal(o.value, 0);
      assert.equal(o.description, 'd');
      assert.equal(o.preemptionPolicy, 'Never');
    });

    test('create poddisruptionbudget', async () => {
      const o = await bodyOf(bin, ['create', 'pdb', 'pdb', '--selector=app=x', '--min-available=50%'], '/apis/policy/v1/namespaces/default/poddisruptionbudgets');
      assert.deepEqual(o.spec, { minAvailable: '50%', selector: { matchLabels: { app: 'x' } } });
    });

    test('create ingress', async () => {
      const o = await bodyOf(bin, ['create', 'ingress', 'ing', '--class=nginx', '--rule=foo.com/bar*=svc:8080,tls=cert'], '/apis/networking.k8s.io/v1/namespaces/default/ingresses');
      assert.equal(at(o, 'spec', 'ingressClassName'), 'nginx');
      assert.deepEqual(at(o, 'spec', 'rules'), [
        { host: 'foo.com', http: { paths: [{ path: '/bar', pathType: 'Prefix', backend: { service: { name: 'svc', port: { number: 8080 } } } }] } },
      ]);
      assert.deepEqual(at(o, 'spec', 'tls'), [{ hosts: ['foo.com'], secretName: 'cert' }]);
    });

    test('run sends its Pod as JSON (no protobuf)', async () => {
      const sent = await sentBody(bin, ['run', 'p', '--image=busybox', '--labels=app=p', '--env=A=1', '--port=8080', '--', 'sleep', '1'], `${ns}/pods`);
      assert.equal(sent.contentType, 'application/json');
      const o = JSON.parse(sent.body.toString('utf8')) as KubeObject;
      assert.equal(o.kind, 'Pod');
      assert.equal(at(o, 'metadata', 'name'), 'p');
      assert.deepEqual(at(o, 'metadata', 'labels'), { app: 'p' });
      const c = at(o, 'spec', 'containers', 0);
      assert.equal(at(c, 'name'), 'p');
      assert.equal(at(c, 'image'), 'busybox');
      assert.deepEqual(at(c, 'args'), ['sleep', '1']);
      assert.deepEqual(at(c, 'env'), [{ name: 'A', value: '1' }]);
      assert.deepEqual(at(c, 'ports'), [{ containerPort: 8080 }]);
      assert.equal(at(o, 'spec', 'restartPolicy'), 'Always');
      assert.equal(at(o, 'spec', 'dnsPolicy'), 'ClusterFirst');
    });

    test('auth can-i (SelfSubjectAccessReview)', async () => {
      const o = await bodyOf(bin, ['auth', 'can-i', 'list', 'pods'], '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews');
      assert.equal(o.kind, 'SelfSubjectAccessReview');
      assert.deepEqual(at(o, 'spec', 'resourceAttributes'), { namespace: 'default', verb: 'list', resource: 'pods' });
      const sub = await bodyOf(bin, ['auth', 'can-i', 'get', 'deployments.apps', '--subresource=scale', '-n', 'other'], '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews');
      assert.deepEqual(at(sub, 'spec', 'resourceAttributes'), { namespace: 'other', verb: 'get', group: 'apps', resource: 'deployments', subresource: 'scale' });
      const nonResource = await bodyOf(bin, ['auth', 'can-i', 'get', '/logs'], '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews');
      assert.deepEqual(at(nonResource, 'spec'), { nonResourceAttributes: { path: '/logs', verb: 'get' } });
    });

    test('auth can-i --list (SelfSubjectRulesReview)', async () => {
      const o = await bodyOf(bin, ['auth', 'can-i', '--list'], '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews');
      assert.equal(o.kind, 'SelfSubjectRulesReview');
      assert.deepEqual(o.spec, { namespace: 'default' });
    });

    test('drain (policy/v1 Eviction; kubectl sends it as JSON today, decoded either way)', async () => {
      const o = objectOf(await sentBody(bin, ['drain', 'n1', '--grace-period=5', '--timeout=20s'], `${ns}/pods/web-1/eviction`));
      assert.equal(o.apiVersion, 'policy/v1');
      assert.equal(o.kind, 'Eviction');
      assert.equal(at(o, 'metadata', 'name'), 'web-1');
      assert.equal(at(o, 'metadata', 'namespace'), 'default');
      assert.deepEqual(o.deleteOptions, { gracePeriodSeconds: 5 });
    });

    test('auth whoami (SelfSubjectReview)', async () => {
      const o = await bodyOf(bin, ['auth', 'whoami'], '/apis/authentication.k8s.io/v1/selfsubjectreviews');
      assert.deepEqual(o, { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: { creationTimestamp: null }, status: { userInfo: {} } });
    });
  });
}

test('the recorded bodies were protobuf with the k8s magic', () => {
  const pb = recorded.filter((r) => isKubernetesProtobuf(r.contentType));
  assert.ok(pb.length > 0 || KUBECTLS.length === 0);
  for (const r of pb) assert.deepEqual([...r.body.subarray(0, 4)], [0x6b, 0x38, 0x73, 0x00]);
});
