import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, PrinterColumn, ResourceType } from '../objects.js';
import { toTable, type Table } from './table.js';

const now = new Date('2024-05-01T12:00:00Z');
const ago = (ms: number): string => new Date(now.getTime() - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const MIN = 60_000;

function rt(group: string, kind: string, extra: Partial<ResourceType> = {}): ResourceType {
  const plural = `${kind.toLowerCase()}s`;
  return {
    group,
    version: 'v1',
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced: true,
    shortNames: [],
    categories: [],
    verbs: ['get', 'list'],
    subresources: {},
    storageVersion: 'v1',
    custom: false,
    ...extra,
  };
}

const columnNames = (t: Table): string[] => (t.columnDefinitions ?? []).map((c) => c.name);
const wideColumns = (t: Table): string[] => (t.columnDefinitions ?? []).filter((c) => c.priority > 0).map((c) => c.name);

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(5 * MIN), resourceVersion: '42', uid: 'u-1' },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] },
    template: {
      metadata: { labels: { app: 'web', tier: 'front' } },
      spec: {
        containers: [
          { name: 'nginx', image: 'nginx:1.25' },
          { name: 'sidecar', image: 'busybox:1.36' },
        ],
      },
    },
  },
  status: { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
};

test('a Deployment row has READY UP-TO-DATE AVAILABLE AGE and the wide CONTAINERS IMAGES SELECTOR', () => {
  const t = toTable(rt('apps', 'Deployment'), [deployment], { includeObject: 'None', now });
  assert.equal(t.kind, 'Table');
  assert.equal(t.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(columnNames(t), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector']);
  assert.deepEqual(wideColumns(t), ['Containers', 'Images', 'Selector']);
  assert.deepEqual(t.rows[0].cells, ['web', '2/3', 3, 2, '5m', 'nginx,sidecar', 'nginx:1.25,busybox:1.36', 'app=web,tier in (front)']);
  assert.equal('object' in t.rows[0], false, 'includeObject=None leaves the object out');
  const name = t.columnDefinitions?.[0];
  assert.equal(name?.format, 'name');
  assert.match(name?.description ?? '', /^Name must be unique within a namespace/);
  assert.match(t.columnDefinitions?.[4].description ?? '', /^CreationTimestamp is a timestamp/);
});

test('a running Pod row counts ready containers and restarts with the time of the last one', () => {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-7d9', namespace: 'default', creationTimestamp: ago(3 * 60 * MIN + 4 * MIN) },
    spec: {
      nodeName: 'node-1',
      containers: [{ name: 'app' }, { name: 'proxy' }],
      readinessGates: [{ conditionType: 'example.com/ready' }],
    },
    status: {
      phase: 'Running',
      podIPs: [{ ip: '10.244.0.7' }],
      conditions: [
        { type: 'Ready', status: 'True' },
        { type: 'example.com/ready', status: 'True' },
      ],
      containerStatuses: [
        { name: 'app', ready: true, restartCount: 3, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(10 * MIN) } } },
        { name: 'proxy', ready: true, restartCount: 0, state: { running: {} } },
      ],
    },
  };
  const t = toTable(rt('', 'Pod'), [pod], { includeObject: 'Metadata', now });
  assert.deepEqual(columnNames(t), ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates']);
  assert.deepEqual(wideColumns(t), ['IP', 'Node', 'Nominated Node', 'Readiness Gates']);
  assert.deepEqual(t.rows[0].cells, ['web-7d9', '2/2', 'Running', '3 (10m ago)', '3h4m', '10.244.0.7', 'node-1', '<none>', '1/1']);
  assert.deepEqual(t.rows[0].object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata });
  assert.equal(t.rows[0].conditions, undefined);
});

test('Pod STATUS follows the printer: waiting reasons, init containers, termination, completion', () => {
  const base = (status: Record<string, unknown>, spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KubeObject => ({
    metadata: { name: 'p', creationTimestamp: ago(MIN), ...meta },
    spec: { containers: [{ name: 'app' }], ...spec },
    status,
  });
  const statusOf = (p: KubeObject): unknown => toTable(rt('', 'Pod'), [p], { includeObject: 'None', now }).rows[0].cells[2];

  assert.equal(statusOf(base({ phase: 'Running', containerStatuses: [{ name: 'app', restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } } }] })), 'CrashLoopBackOff');
  assert.equal(statusOf(base({ phase: 'Pending' })), 'Pending');
  const inits = { initContainers: [{ name: 'a' }, { name: 'b' }] };
  assert.equal(statusOf(base({ phase: 'Pending', initContainerStatuses: [{ name: 'a', state: { running: {} } }] }, inits)), 'Init:0/2');
  assert.equal(statusOf(base({ phase: 'Pending', initContainerStatuses: [{ name: 'a', state: { terminated: { exitCode: 2, reason: 'Error' } } }] }, inits)), 'Init:Error');
  assert.equal(statusOf(base({ phase: 'Pending', initContainerStatuses: [{ name: 'a', state: { terminated: { exitCode: 137, signal: 9 } } }] }, inits)), 'Init:Signal:9');
  assert.equal(
    statusOf(base({ phase: 'Pending', initContainerStatuses: [{ name: 'a', state: { waiting: { reason: 'ImagePullBackOff' } } }] }, inits)),
    'Init:ImagePullBackOff',
  );
  assert.equal(statusOf(base({ phase: 'Running', containerStatuses: [{ name: 'app', ready: true, state: { running: {} } }] }, {}, { deletionTimestamp: ago(0) })), 'Terminating');
  assert.equal(statusOf(base({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] })), 'SchedulingGated');
  assert.equal(statusOf(base({ phase: 'Failed', reason: 'Evicted' })), 'Evicted');

  const done = base({ phase: 'Succeeded', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] });
  const row = toTable(rt('', 'Pod'), [done], { includeObject: 'None', now }).rows[0];
  assert.equal(row.cells[2], 'Completed');
  assert.equal(row.cells[1], '0/1');
  assert.deepEqual(row.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
});

test('a Service row shows TYPE CLUSTER-IP EXTERNAL-IP PORT(S) and the wide SELECTOR', () => {
  const svc: KubeObject = {
    metadata: { name: 'web', creationTimestamp: ago(2 * 24 * 60 * MIN + 3 * 60 * MIN) },
    spec: { type: 'LoadBalancer', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { app: 'web' } },
    status: { loadBalancer: {} },
  };
  const t = toTable(rt('', 'Service'), [svc], { includeObject: 'None', now });
  assert.deepEqual(columnNames(t), ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector']);
  assert.deepEqual(t.rows[0].cells, ['web', 'LoadBalancer', '10.96.0.10', '<pending>', '80:30080/TCP,53/UDP', '2d3h', 'app=web']);
});

test('a Job row reports STATUS, COMPLETIONS and DURATION', () => {
  const job: KubeObject = {
    metadata: { name: 'migrate', creationTimestamp: ago(10 * MIN) },
    spec: { completions: 1, parallelism: 1, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'x' } }, template: { spec: { containers: [{ name: 'm', image: 'migrate:1' }] } } },
    status: { succeeded: 1, startTime: ago(10 * MIN), completionTime: ago(8 * MIN), conditions: [{ type: 'Complete', status: 'True' }] },
  };
  const t = toTable(rt('batch', 'Job'), [job], { includeObject: 'None', now });
  assert.deepEqual(columnNames(t), ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector']);
  assert.deepEqual(t.rows[0].cells, ['migrate', 'Complete', '1/1', '2m', '10m', 'm', 'migrate:1', 'batch.kubernetes.io/controller-uid=x']);
});

const rolloutColumns: PrinterColumn[] = [
  { name: 'Desired', type: 'integer', description: 'Number of desired pods', jsonPath: '.spec.replicas' },
  { name: 'Current', type: 'integer', description: 'Total number of non-terminated pods targeted by this rollout', jsonPath: '.status.replicas' },
  { name: 'Up-to-date', type: 'integer', description: 'Total number of non-terminated pods targeted by this rollout that have the desired template spec', jsonPath: '.status.updatedReplicas' },
  { name: 'Available', type: 'integer', description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this rollout', jsonPath: '.status.availableReplicas' },
  { name: 'Age', type: 'date', description: 'Time since resource was created', jsonPath: '.metadata.creationTimestamp' },
];

test('a CRD with printer columns prints NAME then its columns, typed, with null for missing values', () => {
  const type = rt('argoproj.io', 'Rollout', { version: 'v1alpha1', custom: true, printerColumns: rolloutColumns });
  const rollout: KubeObject = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'canary-demo', namespace: 'default', creationTimestamp: ago(45 * 24 * 60 * MIN) },
    spec: { replicas: 5 },
    status: { replicas: 5, updatedReplicas: 2 },
  };
  const t = toTable(type, [rollout], { includeObject: 'Object', now, listMeta: { resourceVersion: '99', continue: 'abc', remainingItemCount: 3 } });
  assert.deepEqual(columnNames(t), ['Name', 'Desired', 'Current', 'Up-to-date', 'Available', 'Age']);
  assert.deepEqual(
    (t.columnDefinitions ?? []).map((c) => [c.type, c.priority]),
    [['string', 0], ['integer', 0], ['integer', 0], ['integer', 0], ['integer', 0], ['date', 0]],
  );
  assert.deepEqual(t.rows[0].cells, ['canary-demo', 5, 5, 2, null, '45d']);
  assert.equal(t.rows[0].object, rollout);
  assert.deepEqual(t.metadata, { resourceVersion: '99', continue: 'abc', remainingItemCount: 3 });
});

test('an Argo CD Application prints its string columns, wide ones with their priority, and default descriptions', () => {
  const columns: PrinterColumn[] = [
    { name: 'Sync Status', type: 'string', jsonPath: '.status.sync.status' },
    { name: 'Health Status', type: 'string', jsonPath: '.status.health.status' },
    { name: 'Revision', type: 'string', jsonPath: '.status.sync.revision', priority: 10 },
    { name: 'Project', type: 'string', jsonPath: '.spec.project', priority: 10 },
  ];
  const type = rt('argoproj.io', 'Application', { version: 'v1alpha1', custom: true, printerColumns: columns });
  const app: KubeObject = {
    metadata: { name: 'guestbook', namespace: 'argocd', creationTimestamp: ago(MIN) },
    spec: { project: 'default' },
    status: { sync: { status: 'Synced', revision: 'abc123' } },
  };
  const t = toTable(type, [app], { includeObject: 'None', now });
  assert.deepEqual(t.rows[0].cells, ['guestbook', 'Synced', null, 'abc123', 'default']);
  assert.deepEqual(wideColumns(t), ['Revision', 'Project']);
  assert.equal(t.columnDefinitions?.[1].description, 'Custom resource definition column (in JSONPath format): .status.sync.status');
});

test('a CRD without printer columns prints NAME and AGE', () => {
  const type = rt('example.com', 'Widget', { custom: true });
  const t = toTable(type, [{ metadata: { name: 'w1', creationTimestamp: ago(5 * MIN) } }], { includeObject: 'None', now });
  assert.deepEqual(columnNames(t), ['Name', 'Age']);
  assert.equal(t.columnDefinitions?.[1].type, 'date');
  assert.deepEqual(t.rows[0].cells, ['w1', '5m']);
});

test('kinds without a printer (Roles, CRDs themselves) print NAME and CREATED AT as RFC 3339', () => {
  const t = toTable(rt('rbac.authorization.k8s.io', 'Role'), [{ metadata: { name: 'reader', creationTimestamp: '2024-04-30T10:11:12Z' } }], { includeObject: 'None', now });
  assert.deepEqual(columnNames(t), ['Name', 'Created At']);
  assert.equal(t.columnDefinitions?.[1].type, 'date');
  assert.deepEqual(t.rows[0].cells, ['reader', '2024-04-30T10:11:12Z']);
  const crd = toTable(rt('apiextensions.k8s.io', 'CustomResourceDefinition', { namespaced: false }), [{ metadata: { name: 'rollouts.argoproj.io', creationTimestamp: ago(MIN) } }], {
    includeObject: 'None',
    now,
  });
  assert.deepEqual(columnNames(crd), ['Name', 'Created At']);
});

test('config maps, secrets, namespaces and nodes print their counts and states', () => {
  const cm = toTable(rt('', 'ConfigMap'), [{ metadata: { name: 'c', creationTimestamp: ago(MIN) }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }], { includeObject: 'None', now });
  assert.deepEqual(cm.rows[0].cells, ['c', 3, '60s']);
  const secret = toTable(rt('', 'Secret'), [{ metadata: { name: 's', creationTimestamp: ago(MIN) }, type: 'Opaque', data: { k: 'dg==' } }], { includeObject: 'None', now });
  assert.deepEqual(secret.rows[0].cells, ['s', 'Opaque', 1, '60s']);
  const ns = toTable(rt('', 'Namespace', { namespaced: false }), [{ metadata: { name: 'argo', creationTimestamp: ago(MIN) }, status: { phase: 'Active' } }], { includeObject: 'None', now });
  assert.deepEqual(ns.rows[0].cells, ['argo', 'Active', '60s']);
  const node = toTable(
    rt('', 'Node', { namespaced: false }),
    [
      {
        metadata: { name: 'n1', creationTimestamp: ago(MIN), labels: { 'node-role.kubernetes.io/control-plane': '' } },
        spec: { unschedulable: true },
        status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.32.0' }, addresses: [{ type: 'InternalIP', address: '172.18.0.2' }] },
      },
    ],
    { includeObject: 'None', now },
  );
  assert.deepEqual(node.rows[0].cells, ['n1', 'Ready,SchedulingDisabled', 'control-plane', '60s', 'v1.32.0', '172.18.0.2', '<none>', '<unknown>', '<unknown>', '<unknown>']);
});

test('events print LAST SEEN TYPE REASON OBJECT MESSAGE plus the wide columns', () => {
  const ev: KubeObject = {
    metadata: { name: 'web.17a', namespace: 'default', creationTimestamp: ago(MIN) },
    involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{app}' },
    reason: 'Pulled',
    message: '  Successfully pulled image  ',
    type: 'Normal',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: ago(3 * MIN),
    lastTimestamp: ago(MIN),
    count: 2,
  };
  const t = toTable(rt('', 'Event'), [ev], { includeObject: 'None', now });
  assert.deepEqual(columnNames(t), ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject', 'Source', 'Message', 'First Seen', 'Count', 'Name']);
  assert.deepEqual(t.rows[0].cells, ['60s', 'Normal', 'Pulled', 'pod/web', 'spec.containers{app}', 'kubelet, node-1', 'Successfully pulled image', '3m', 2, 'web.17a']);
});

test('headers can be left out and the Table group version chosen', () => {
  const t = toTable(rt('apps', 'Deployment'), [], { includeObject: 'Metadata', now, noHeaders: true, groupVersion: 'meta.k8s.io/v1beta1' });
  assert.equal(t.columnDefinitions, null);
  assert.deepEqual(t.rows, []);
  assert.equal(t.apiVersion, 'meta.k8s.io/v1beta1');
  assert.deepEqual(t.metadata, {});
});
