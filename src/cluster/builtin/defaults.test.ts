import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, ResourceType } from '../objects.js';
import { applyBuiltinDefaults, defaultImagePullPolicy, generateJobSelector, prepareForCreate } from './defaults.js';
import { builtinByKind } from './resource-table.js';

function type(group: string, kind: string, version?: string): ResourceType {
  const t = builtinByKind(group, kind, version);
  assert.ok(t, `${group}/${kind}`);
  return t;
}

const DEFAULTED_CONTAINER = {
  name: 'web',
  image: 'nginx:1.27',
  imagePullPolicy: 'IfNotPresent',
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
  resources: {},
};

const DEFAULTED_POD_SPEC = {
  containers: [DEFAULTED_CONTAINER],
  dnsPolicy: 'ClusterFirst',
  restartPolicy: 'Always',
  securityContext: {},
  terminationGracePeriodSeconds: 30,
  schedulerName: 'default-scheduler',
};

test('a Deployment gets the replica, strategy, history and deadline defaults and a defaulted pod template', () => {
  const input: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
  };
  const out = applyBuiltinDefaults(type('apps', 'Deployment'), input);
  assert.deepEqual(out.spec, {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: DEFAULTED_POD_SPEC },
    replicas: 1,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
  });
});

test('defaulting is pure: the input object is not changed', () => {
  const input: KubeObject = { metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } };
  const before = JSON.stringify(input);
  applyBuiltinDefaults(type('apps', 'Deployment'), input);
  assert.equal(JSON.stringify(input), before);
});

test('values the user set are kept', () => {
  const out = applyBuiltinDefaults(type('apps', 'Deployment'), {
    metadata: { name: 'web' },
    spec: { replicas: 0, revisionHistoryLimit: 0, strategy: { type: 'Recreate' }, template: { spec: { containers: [], dnsPolicy: 'Default', terminationGracePeriodSeconds: 0 } } },
  });
  const spec = out.spec as Record<string, unknown>;
  assert.equal(spec.replicas, 0);
  assert.equal(spec.revisionHistoryLimit, 0);
  assert.deepEqual(spec.strategy, { type: 'Recreate' });
  const podSpec = (spec.template as { spec: Record<string, unknown> }).spec;
  assert.equal(podSpec.dnsPolicy, 'Default');
  assert.equal(podSpec.terminationGracePeriodSeconds, 0);
});

test('image pull policy is Always for :latest or an untagged image and IfNotPresent otherwise', () => {
  assert.equal(defaultImagePullPolicy('nginx'), 'Always');
  assert.equal(defaultImagePullPolicy('nginx:latest'), 'Always');
  assert.equal(defaultImagePullPolicy('registry.example.com:5000/team/app'), 'Always');
  assert.equal(defaultImagePullPolicy('nginx:1.27'), 'IfNotPresent');
  assert.equal(defaultImagePullPolicy(`nginx@sha256:${'a'.repeat(64)}`), 'IfNotPresent');
  assert.equal(defaultImagePullPolicy(''), 'IfNotPresent');
});

test('container ports, probes, lifecycle hooks and volumes get their defaults', () => {
  const out = applyBuiltinDefaults(type('', 'Pod'), {
    metadata: { name: 'p' },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'app:v1',
          ports: [{ containerPort: 8080 }],
          livenessProbe: { httpGet: { port: 8080 } },
          readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 5 },
          lifecycle: { preStop: { httpGet: { port: 80 } } },
          env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          resources: { limits: { cpu: '1' } },
        },
      ],
      volumes: [{ name: 'cm', configMap: { name: 'x' } }, { name: 's', secret: { secretName: 'y' } }, { name: 'tmp' }, { name: 'h', hostPath: { path: '/x' } }],
    },
  });
  const spec = out.spec as { containers: Record<string, unknown>[]; volumes: unknown[]; enableServiceLinks: boolean };
  const c = spec.containers[0];
  assert.deepEqual(c.ports, [{ containerPort: 8080, protocol: 'TCP' }]);
  assert.deepEqual(c.livenessProbe, { httpGet: { port: 8080, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(c.readinessProbe, { tcpSocket: { port: 8080 }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(c.lifecycle, { preStop: { httpGet: { port: 80, path: '/', scheme: 'HTTP' } } });
  assert.deepEqual(c.env, [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } } }]);
  assert.deepEqual(c.resources, { limits: { cpu: '1' }, requests: { cpu: '1' } }, 'pods copy limits into missing requests');
  assert.deepEqual(spec.volumes, [
    { name: 'cm', configMap: { name: 'x', defaultMode: 420 } },
    { name: 's', secret: { secretName: 'y', defaultMode: 420 } },
    { name: 'tmp', emptyDir: {} },
    { name: 'h', hostPath: { path: '/x', type: '' } },
  ]);
  assert.equal(spec.enableServiceLinks, true);
});

test('pod templates do not get the pod-only requests-from-limits default', () => {
  const out = applyBuiltinDefaults(type('apps', 'ReplicaSet'), {
    metadata: { name: 'r' },
    spec: { template: { spec: { containers: [{ name: 'c', image: 'a:1', resources: { limits: { cpu: '1' } } }] } } },
  });
  const c = (out.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0];
  assert.deepEqual(c.resources, { limits: { cpu: '1' } });
  assert.equal((out.spec as Record<string, unknown>).replicas, 1);
});

test('host networking copies container ports into host ports', () => {
  const out = applyBuiltinDefaults(type('', 'Pod'), { metadata: { name: 'p' }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'a:1', ports: [{ containerPort: 53 }] }] } });
  const c = (out.spec as { containers: { ports: unknown[] }[] }).containers[0];
  assert.deepEqual(c.ports, [{ containerPort: 53, hostPort: 53, protocol: 'TCP' }]);
});

test('a StatefulSet gets its policies and its volume claim templates get PVC defaults', () => {
  const out = applyBuiltinDefaults(type('apps', 'StatefulSet'), {
    metadata: { name: 'db' },
    spec: {
      serviceName: 'db',
      template: { spec: { containers: [{ name: 'db', image: 'pg:16' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  });
  const spec = out.spec as Record<string, unknown>;
  assert.equal(spec.replicas, 1);
  assert.equal(spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.equal(spec.revisionHistoryLimit, 10);
  assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.deepEqual(spec.volumeClaimTemplates, [
    {
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' },
      status: { phase: 'Pending' },
    },
  ]);
});

test('a DaemonSet rolls one pod at a time without surge by default', () => {
  const out = applyBuiltinDefaults(type('apps', 'DaemonSet'), { metadata: { name: 'd' }, spec: { template: { spec: { containers: [] } } } });
  const spec = out.spec as Record<string, unknown>;
  assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(spec.revisionHistoryLimit, 10);
});

test('a Job gets parallelism, completions, backoff, mode, suspend and replacement defaults, and labels from its template', () => {
  const out = applyBuiltinDefaults(type('batch', 'Job'), {
    metadata: { name: 'pi' },
    spec: { template: { metadata: { labels: { app: 'pi' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5' }] } } },
  });
  const spec = out.spec as Record<string, unknown>;
  assert.equal(spec.parallelism, 1);
  assert.equal(spec.completions, 1);
  assert.equal(spec.backoffLimit, 6);
  assert.equal(spec.completionMode, 'NonIndexed');
  assert.equal(spec.suspend, false);
  assert.equal(spec.podReplacementPolicy, 'TerminatingOrFailed');
  assert.deepEqual(out.metadata.labels, { app: 'pi' });
  const parallel = applyBuiltinDefaults(type('batch', 'Job'), { metadata: { name: 'p' }, spec: { parallelism: 3, template: { spec: { containers: [] } } } });
  assert.equal((parallel.spec as Record<string, unknown>).completions, undefined, 'completions stay unset when parallelism is given');
});

test('generateJobSelector labels the pods and selects them by the controller uid', () => {
  const defaulted = applyBuiltinDefaults(type('batch', 'Job'), {
    metadata: { name: 'pi', namespace: 'default' },
    spec: { template: { metadata: { labels: { app: 'pi' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5' }] } } },
  });
  const job = generateJobSelector(defaulted, 'u-1');
  const spec = job.spec as { selector: unknown; template: { metadata: { labels: unknown } } };
  const expected = {
    app: 'pi',
    'job-name': 'pi',
    'batch.kubernetes.io/job-name': 'pi',
    'controller-uid': 'u-1',
    'batch.kubernetes.io/controller-uid': 'u-1',
  };
  assert.deepEqual(spec.template.metadata.labels, expected);
  assert.deepEqual(spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
  assert.deepEqual(job.metadata.labels, expected, 'labels copied from the template share the generated ones');
  const manual = generateJobSelector({ metadata: { name: 'm' }, spec: { manualSelector: true, selector: { matchLabels: { a: 'b' } } } }, 'u');
  assert.deepEqual(manual.spec, { manualSelector: true, selector: { matchLabels: { a: 'b' } } });
  const ownLabels = generateJobSelector({ metadata: { name: 'o', labels: { team: 'x' } }, spec: { template: { spec: {} } } }, 'u');
  assert.deepEqual(ownLabels.metadata.labels, { team: 'x' });
});

test('a CronJob gets its policy and history defaults and a defaulted pod template', () => {
  const out = applyBuiltinDefaults(type('batch', 'CronJob'), {
    metadata: { name: 'c' },
    spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } } },
  });
  const spec = out.spec as Record<string, unknown>;
  assert.equal(spec.concurrencyPolicy, 'Allow');
  assert.equal(spec.suspend, false);
  assert.equal(spec.successfulJobsHistoryLimit, 3);
  assert.equal(spec.failedJobsHistoryLimit, 1);
  const jobSpec = (spec.jobTemplate as { spec: Record<string, unknown> }).spec;
  assert.equal(jobSpec.backoffLimit, undefined, 'job-level defaults are not applied to job templates');
  assert.equal(((jobSpec.template as { spec: { containers: Record<string, unknown>[] } }).spec.containers[0]).imagePullPolicy, 'Always');
});

test('a Service defaults to ClusterIP with TCP ports targeting the same port', () => {
  const out = applyBuiltinDefaults(type('', 'Service'), { metadata: { name: 's' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }, { port: 443, targetPort: 'https' }] } });
  assert.deepEqual(out.spec, {
    selector: { app: 'web' },
    ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 443, targetPort: 'https', protocol: 'TCP' }],
    sessionAffinity: 'None',
    type: 'ClusterIP',
    internalTrafficPolicy: 'Cluster',
    ipFamilyPolicy: 'SingleStack',
  });
});

test('NodePort and LoadBalancer services get an external traffic policy; LoadBalancers allocate node ports', () => {
  const np = applyBuiltinDefaults(type('', 'Service'), { metadata: { name: 's' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } });
  assert.equal((np.spec as Record<string, unknown>).externalTrafficPolicy, 'Cluster');
  assert.equal((np.spec as Record<string, unknown>).allocateLoadBalancerNodePorts, undefined);
  const lb = applyBuiltinDefaults(type('', 'Service'), { metadata: { name: 's' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } });
  assert.equal((lb.spec as Record<string, unknown>).externalTrafficPolicy, 'Cluster');
  assert.equal((lb.spec as Record<string, unknown>).allocateLoadBalancerNodePorts, true);
  const ext = applyBuiltinDefaults(type('', 'Service'), { metadata: { name: 's' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
  assert.deepEqual(ext.spec, { type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' });
  const headless = applyBuiltinDefaults(type('', 'Service'), { metadata: { name: 's' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } });
  assert.equal((headless.spec as Record<string, unknown>).ipFamilyPolicy, 'RequireDualStack', 'headless without selector');
  const sticky = applyBuiltinDefaults(type('', 'Service'), { metadata: { name: 's' }, spec: { sessionAffinity: 'ClientIP', ports: [{ port: 80 }] } });
  assert.deepEqual((sticky.spec as Record<string, unknown>).sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
});

test('a Secret defaults to Opaque and folds stringData into base64 data', () => {
  const out = applyBuiltinDefaults(type('', 'Secret'), { metadata: { name: 's' }, data: { a: 'eA==', b: 'eQ==' }, stringData: { b: 'override', c: 'héllo' } });
  assert.equal(out.type, 'Opaque');
  assert.deepEqual(out.data, { a: 'eA==', b: Buffer.from('override').toString('base64'), c: Buffer.from('héllo').toString('base64') });
  assert.equal(out.stringData, undefined);
});

test('a Namespace is labelled with its name and starts Active; creation adds the kubernetes finalizer', () => {
  const ns = type('', 'Namespace');
  const out = applyBuiltinDefaults(ns, { metadata: { name: 'team-a', labels: { env: 'prod' } } });
  assert.deepEqual(out.metadata.labels, { env: 'prod', 'kubernetes.io/metadata.name': 'team-a' });
  assert.deepEqual(out.status, { phase: 'Active' });
  assert.equal(out.spec, undefined, 'finalizers are not a default');
  assert.deepEqual(prepareForCreate(ns, out).spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(prepareForCreate(ns, { metadata: { name: 'x' }, spec: { finalizers: ['example.com/f'] } }).spec, { finalizers: ['example.com/f', 'kubernetes'] });
});

test('PVCs and PVs get their volume mode, reclaim policy and phase', () => {
  const pvc = applyBuiltinDefaults(type('', 'PersistentVolumeClaim'), { metadata: { name: 'c' }, spec: { accessModes: ['ReadWriteOnce'] } });
  assert.deepEqual(pvc.spec, { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem' });
  assert.deepEqual(pvc.status, { phase: 'Pending' });
  const pv = applyBuiltinDefaults(type('', 'PersistentVolume'), { metadata: { name: 'v' }, spec: {} });
  assert.deepEqual(pv.spec, { persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' });
});

test('an autoscaling/v2 HPA gets minReplicas and the 80% CPU metric; behavior is only filled in when given', () => {
  const out = applyBuiltinDefaults(type('autoscaling', 'HorizontalPodAutoscaler', 'v2'), {
    metadata: { name: 'h' },
    spec: { maxReplicas: 5, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } },
  });
  const spec = out.spec as Record<string, unknown>;
  assert.equal(spec.minReplicas, 1);
  assert.deepEqual(spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  assert.equal(spec.behavior, undefined);
  const withBehavior = applyBuiltinDefaults(type('autoscaling', 'HorizontalPodAutoscaler', 'v2'), {
    metadata: { name: 'h' },
    spec: { maxReplicas: 5, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } },
  });
  assert.deepEqual((withBehavior.spec as Record<string, unknown>).behavior, {
    scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
    scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
  });
  const v1 = applyBuiltinDefaults(type('autoscaling', 'HorizontalPodAutoscaler', 'v1'), { metadata: { name: 'h' }, spec: { maxReplicas: 2 } });
  assert.deepEqual(v1.spec, { maxReplicas: 2, minReplicas: 1 });
});

test('a NetworkPolicy derives its policy types from its rules and defaults port protocols', () => {
  const np = type('networking.k8s.io', 'NetworkPolicy');
  const ingressOnly = applyBuiltinDefaults(np, { metadata: { name: 'n' }, spec: { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] } });
  assert.deepEqual((ingressOnly.spec as Record<string, unknown>).policyTypes, ['Ingress']);
  assert.deepEqual((ingressOnly.spec as { ingress: unknown[] }).ingress, [{ ports: [{ port: 80, protocol: 'TCP' }] }]);
  const both = applyBuiltinDefaults(np, { metadata: { name: 'n' }, spec: { podSelector: {}, egress: [{}] } });
  assert.deepEqual((both.spec as Record<string, unknown>).policyTypes, ['Ingress', 'Egress']);
});

test('RBAC bindings default the roleRef and user/group subject API group', () => {
  const out = applyBuiltinDefaults(type('rbac.authorization.k8s.io', 'RoleBinding'), {
    metadata: { name: 'b' },
    roleRef: { kind: 'Role', name: 'r' },
    subjects: [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'd' }],
  });
  assert.deepEqual(out.roleRef, { kind: 'Role', name: 'r', apiGroup: 'rbac.authorization.k8s.io' });
  assert.deepEqual(out.subjects, [
    { kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' },
    { kind: 'ServiceAccount', name: 'sa', namespace: 'd', apiGroup: '' },
  ]);
});

test('webhook configurations, storage classes and priority classes get their defaults', () => {
  const wh = applyBuiltinDefaults(type('admissionregistration.k8s.io', 'MutatingWebhookConfiguration'), {
    metadata: { name: 'w' },
    webhooks: [{ name: 'a.b.c', clientConfig: { service: { name: 's', namespace: 'n' } }, rules: [{ operations: ['CREATE'] }] }],
  });
  assert.deepEqual(wh.webhooks, [
    {
      name: 'a.b.c',
      clientConfig: { service: { name: 's', namespace: 'n', port: 443 } },
      rules: [{ operations: ['CREATE'], scope: '*' }],
      failurePolicy: 'Fail',
      matchPolicy: 'Equivalent',
      namespaceSelector: {},
      objectSelector: {},
      timeoutSeconds: 10,
      reinvocationPolicy: 'Never',
    },
  ]);
  const sc = applyBuiltinDefaults(type('storage.k8s.io', 'StorageClass'), { metadata: { name: 's' }, provisioner: 'x' });
  assert.equal(sc.reclaimPolicy, 'Delete');
  assert.equal(sc.volumeBindingMode, 'Immediate');
  const pc = applyBuiltinDefaults(type('scheduling.k8s.io', 'PriorityClass'), { metadata: { name: 'p' }, value: 10 });
  assert.equal(pc.preemptionPolicy, 'PreemptLowerPriority');
});

test('kinds without defaults are returned unchanged', () => {
  const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
  assert.deepEqual(applyBuiltinDefaults(type('', 'ConfigMap'), cm), cm);
  const ing: KubeObject = { metadata: { name: 'i' }, spec: { rules: [] } };
  assert.deepEqual(applyBuiltinDefaults(type('networking.k8s.io', 'Ingress'), ing), ing);
});
