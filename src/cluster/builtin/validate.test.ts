import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invalid } from '../errors.js';
import type { FieldCause, KubeObject } from '../objects.js';
import { applyBuiltinDefaults, generateJobSelector } from './defaults.js';
import { builtinByKind } from './resource-table.js';
import { base64DecodeError, validateBuiltin } from './validate.js';

function typeOf(group: string, kind: string, version?: string) {
  const t = builtinByKind(group, kind, version);
  assert.ok(t, `${group}/${kind}`);
  return t;
}

/** Defaults then validates, as kube-apiserver does; returns `field: message` lines. */
function check(group: string, kind: string, obj: KubeObject, old?: KubeObject, version?: string): string[] {
  const t = typeOf(group, kind, version);
  const cur = applyBuiltinDefaults(t, obj);
  const prev = old ? applyBuiltinDefaults(t, old) : undefined;
  return validateBuiltin(t, cur, prev).map((c: FieldCause) => `${c.field}: ${c.message}`);
}

function causes(group: string, kind: string, obj: KubeObject, old?: KubeObject): FieldCause[] {
  const t = typeOf(group, kind);
  return validateBuiltin(t, applyBuiltinDefaults(t, obj), old ? applyBuiltinDefaults(t, old) : undefined);
}

function deployment(name: string, selector: Record<string, string>, labels: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', resourceVersion: '1' },
    spec: { selector: { matchLabels: selector }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } }, ...extra },
  };
}

function pod(spec: Record<string, unknown>, name = 'p'): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec };
}

// ---- object metadata ----

test('a bad object name reads exactly like the Kubernetes API server', () => {
  const errs = causes('apps', 'Deployment', deployment('Bad_Name', { app: 'web' }, { app: 'web' }));
  assert.equal(
    invalid('Deployment', 'Bad_Name', errs, 'apps').message,
    `Deployment.apps "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  );
});

test('kinds without specific rules get object metadata validation only', () => {
  assert.deepEqual(check('', 'ServiceAccount', { metadata: { name: 'sa', namespace: 'default' } }), []);
  assert.deepEqual(check('', 'Node', { metadata: { name: 'node-1' }, spec: { anything: true } }), []);
  assert.deepEqual(check('', 'ServiceAccount', { metadata: { namespace: 'default' } }), ['metadata.name: Required value: name or generateName is required']);
});

test('namespace names are DNS labels', () => {
  assert.deepEqual(check('', 'Namespace', { metadata: { name: 'team.a' } }), ['metadata.name: Invalid value: "team.a": must not contain dots']);
  assert.deepEqual(check('', 'Namespace', { metadata: { name: 'team-a' }, spec: { finalizers: ['kubernetes'] } }), []);
});

test('service names are DNS-1035 labels', () => {
  const lines = check('', 'Service', { metadata: { name: '1web', namespace: 'd' }, spec: { ports: [{ port: 80 }] } });
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^metadata\.name: Invalid value: "1web": a DNS-1035 label must consist of/);
});

// ---- pods ----

test('a container without an image is reported as spec.containers[0].image: Required value', () => {
  assert.deepEqual(check('', 'Pod', pod({ containers: [{ name: 'web' }] })), ['spec.containers[0].image: Required value']);
});

test('a missing image inside a Deployment template is reported on the template path', () => {
  const d = deployment('web', { app: 'web' }, { app: 'web' });
  (d.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0].image = '';
  assert.deepEqual(check('apps', 'Deployment', d), ['spec.template.spec.containers[0].image: Required value']);
});

test('a pod needs at least one container', () => {
  assert.deepEqual(check('', 'Pod', pod({ containers: [] })), ['spec.containers: Required value']);
});

test('container names must be unique DNS labels', () => {
  const lines = check('', 'Pod', pod({ containers: [{ name: 'web', image: 'a' }, { name: 'web', image: 'b' }, { name: 'Web', image: 'c' }] }));
  assert.equal(lines[0], 'spec.containers[1].name: Duplicate value: "web"');
  assert.match(lines[1], /^spec\.containers\[2\]\.name: Invalid value: "Web": a lowercase RFC 1123 label must consist of/);
});

test('container ports must be in range and use a known protocol', () => {
  const lines = check('', 'Pod', pod({ containers: [{ name: 'c', image: 'a', ports: [{ containerPort: 70000 }, { containerPort: 80, protocol: 'ICMP' }, {}] }] }));
  assert.deepEqual(lines, [
    'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.containers[0].ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
    'spec.containers[0].ports[2].containerPort: Required value',
  ]);
});

test('environment variable names are required and may not contain =', () => {
  const lines = check('', 'Pod', pod({ containers: [{ name: 'c', image: 'a', env: [{ name: '' }, { name: 'A=B' }, { name: 'my.var-1' }] }] }));
  assert.deepEqual(lines, [
    'spec.containers[0].env[0].name: Required value',
    `spec.containers[0].env[1].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
  ]);
});

test('volumes need unique names and exactly one source, and mounts must name a volume', () => {
  const lines = check(
    '',
    'Pod',
    pod({
      containers: [{ name: 'c', image: 'a', volumeMounts: [{ name: 'missing', mountPath: '/m' }, { name: 'data', mountPath: '/m' }] }],
      volumes: [{ name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {} }, { name: 'two', emptyDir: {}, configMap: { name: 'x' } }],
    }),
  );
  assert.deepEqual(lines, [
    'spec.volumes[1].name: Duplicate value: "data"',
    'spec.volumes[2].configMap: Forbidden: may not specify more than 1 volume type',
    'spec.containers[0].volumeMounts[0].name: Not found: "missing"',
    'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/m": must be unique',
  ]);
});

test('restart and DNS policies must be known values', () => {
  const lines = check('', 'Pod', pod({ containers: [{ name: 'c', image: 'a' }], restartPolicy: 'Sometimes', dnsPolicy: 'Magic' }));
  assert.deepEqual(lines, [
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    'spec.dnsPolicy: Unsupported value: "Magic": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
  ]);
});

test('a probe has exactly one handler and liveness probes need successThreshold 1', () => {
  const lines = check(
    '',
    'Pod',
    pod({
      containers: [
        {
          name: 'c',
          image: 'a',
          livenessProbe: { exec: { command: ['true'] }, httpGet: { port: 80 }, successThreshold: 2 },
          readinessProbe: { periodSeconds: 5 },
        },
      ],
    }),
  );
  assert.deepEqual(lines, [
    'spec.containers[0].livenessProbe.httpGet: Forbidden: may not specify more than 1 handler type',
    'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
    'spec.containers[0].readinessProbe: Required value: must specify a handler type',
  ]);
});

test('requests may not exceed limits', () => {
  const lines = check('', 'Pod', pod({ containers: [{ name: 'c', image: 'a', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] }));
  assert.deepEqual(lines, ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1']);
});

test('pod updates may only change images and a few other fields', () => {
  const old = pod({ containers: [{ name: 'c', image: 'a:1' }] });
  assert.deepEqual(check('', 'Pod', pod({ containers: [{ name: 'c', image: 'a:2' }] }), old), []);
  const lines = check('', 'Pod', pod({ containers: [{ name: 'c', image: 'a:1' }], hostname: 'other' }), old);
  assert.equal(lines.length, 1);
  assert.ok(lines[0].startsWith('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,'));
  assert.deepEqual(check('', 'Pod', pod({ containers: [{ name: 'c', image: 'a:1' }, { name: 'd', image: 'b' }] }), old), [
    'spec.containers: Forbidden: pod updates may not add or remove containers',
  ]);
});

// ---- apps ----

test('a Deployment whose selector does not match its template labels gets the Kubernetes message', () => {
  const errs = causes('apps', 'Deployment', deployment('web', { app: 'api' }, { app: 'web', tier: 'fe' }));
  assert.equal(
    invalid('Deployment', 'web', errs, 'apps').message,
    'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"web", "tier":"fe"}: `selector` does not match template `labels`',
  );
});

test('a Deployment without a selector gets both the required and the mismatch error', () => {
  const d = deployment('web', {}, { app: 'web' });
  delete (d.spec as Record<string, unknown>).selector;
  assert.deepEqual(check('apps', 'Deployment', d), [
    'spec.selector: Required value',
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
  ]);
  const empty = deployment('web', {}, { app: 'web' });
  assert.deepEqual(check('apps', 'Deployment', empty), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
  ]);
});

test('changing an apps/v1 Deployment selector is rejected as immutable', () => {
  const old = deployment('web', { app: 'web' }, { app: 'web' });
  const cur = deployment('web', { app: 'web2' }, { app: 'web2' });
  const errs = causes('apps', 'Deployment', cur, old);
  assert.equal(
    invalid('Deployment', 'web', errs, 'apps').message,
    'Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  );
  assert.deepEqual(check('apps', 'Deployment', deployment('web', { app: 'web' }, { app: 'web', v: '2' }), old), []);
});

test('replicas must not be negative and the rolling update may not be 0/0', () => {
  const d = deployment('web', { app: 'web' }, { app: 'web' }, { replicas: -1, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } });
  assert.deepEqual(check('apps', 'Deployment', d), [
    'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
  ]);
});

test('unknown strategy types and bad percentages are rejected', () => {
  const bad = deployment('web', { app: 'web' }, { app: 'web' }, { strategy: { type: 'BlueGreen' } });
  assert.deepEqual(check('apps', 'Deployment', bad), [
    'spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"BlueGreen", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"',
  ]);
  const pct = deployment('web', { app: 'web' }, { app: 'web' }, { strategy: { rollingUpdate: { maxSurge: '25', maxUnavailable: '150%' } } });
  assert.deepEqual(check('apps', 'Deployment', pct), [
    `spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"25"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
  ]);
});

test('workload templates must restart Always', () => {
  const d = deployment('web', { app: 'web' }, { app: 'web' });
  (d.spec as { template: { spec: Record<string, unknown> } }).template.spec.restartPolicy = 'Never';
  assert.deepEqual(check('apps', 'Deployment', d), ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
});

test('StatefulSet spec changes other than the mutable fields are forbidden', () => {
  const sts = (selector: Record<string, string>, serviceName: string): KubeObject => ({
    metadata: { name: 'db', namespace: 'default' },
    spec: { serviceName, selector: { matchLabels: selector }, template: { metadata: { labels: selector }, spec: { containers: [{ name: 'db', image: 'pg' }] } } },
  });
  assert.deepEqual(check('apps', 'StatefulSet', sts({ app: 'db' }, 'db')), []);
  assert.deepEqual(check('apps', 'StatefulSet', sts({ app: 'db' }, 'db'), sts({ app: 'db' }, 'db')), []);
  assert.deepEqual(check('apps', 'StatefulSet', sts({ app: 'db2' }, 'db'), sts({ app: 'db' }, 'db')), [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);
});

test('DaemonSets may not have both maxSurge and maxUnavailable set, and selectors are immutable', () => {
  const ds = (labels: Record<string, string>, ru?: Record<string, unknown>): KubeObject => ({
    metadata: { name: 'agent', namespace: 'kube-system' },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'a', image: 'agent:1' }] } },
      ...(ru ? { updateStrategy: { type: 'RollingUpdate', rollingUpdate: ru } } : {}),
    },
  });
  assert.deepEqual(check('apps', 'DaemonSet', ds({ app: 'a' })), []);
  assert.deepEqual(check('apps', 'DaemonSet', ds({ app: 'a' }, { maxSurge: 1, maxUnavailable: 1 })), [
    'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: may not be set when maxUnavailable is non-zero',
  ]);
  const lines = check('apps', 'DaemonSet', ds({ app: 'b' }), ds({ app: 'a' }));
  assert.deepEqual(lines, ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable']);
});

test('a ReplicationController needs a selector matching its template', () => {
  const rc: KubeObject = {
    metadata: { name: 'rc', namespace: 'd' },
    spec: { selector: { app: 'x' }, template: { metadata: { labels: { app: 'y' } }, spec: { containers: [{ name: 'c', image: 'a' }] } } },
  };
  assert.deepEqual(check('', 'ReplicationController', rc), [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"y"}: `selector` does not match template `labels`',
  ]);
});

// ---- batch ----

function job(spec: Record<string, unknown>, name = 'pi'): KubeObject {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'default' }, spec };
}

function createdJob(spec: Record<string, unknown>): KubeObject {
  const t = typeOf('batch', 'Job');
  const j = generateJobSelector(applyBuiltinDefaults(t, job(spec)), 'uid-1');
  j.metadata.uid = 'uid-1';
  return j;
}

test('a Job template must restart OnFailure or Never (the Always default is rejected)', () => {
  const t = typeOf('batch', 'Job');
  const lines = validateBuiltin(t, createdJob({ template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } })).map((c) => `${c.field}: ${c.message}`);
  assert.deepEqual(lines, ['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']);
  const ok = createdJob({ template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } });
  assert.deepEqual(validateBuiltin(t, ok), []);
});

test('a Job selector that was not generated is rejected unless manualSelector is set', () => {
  const t = typeOf('batch', 'Job');
  const j = createdJob({ selector: { matchLabels: { app: 'pi' } }, template: { metadata: { labels: { app: 'pi' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } });
  const lines = validateBuiltin(t, j).map((c) => `${c.field}: ${c.message}`);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^spec\.selector: Invalid value: v1\.LabelSelector\{MatchLabels:map\[string\]string\{"app":"pi", "batch\.kubernetes\.io\/controller-uid":"uid-1"\}.*: `selector` not auto-generated$/);
});

test('Job counts must not be negative and the template is immutable', () => {
  const t = typeOf('batch', 'Job');
  const base = { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] };
  const neg = createdJob({ parallelism: -1, completions: -2, template: { spec: base } });
  assert.deepEqual(validateBuiltin(t, neg).map((c) => `${c.field}: ${c.message}`), [
    'spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
    'spec.completions: Invalid value: -2: must be greater than or equal to 0',
  ]);
  const old = createdJob({ template: { spec: base } });
  const changed = structuredClone(old);
  ((changed.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0]).image = 'perl:2';
  assert.deepEqual(validateBuiltin(t, changed, old).map((c) => `${c.field}: ${c.message}`), ['spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable']);
  const suspended = createdJob({ suspend: true, template: { spec: base } });
  const relabelled = structuredClone(suspended);
  ((relabelled.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels).extra = 'yes';
  assert.deepEqual(validateBuiltin(t, relabelled, suspended), [], 'a suspended, never-started Job may change its scheduling directives');
});

function cronJob(spec: Record<string, unknown>, name = 'backup'): KubeObject {
  return {
    metadata: { name, namespace: 'default' },
    spec: { jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } }, ...spec },
  };
}

test('a CronJob schedule error reads like Kubernetes', () => {
  const errs = causes('batch', 'CronJob', cronJob({ schedule: '* * *' }));
  assert.equal(
    invalid('CronJob', 'backup', errs, 'batch').message,
    'CronJob.batch "backup" is invalid: spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]',
  );
  assert.deepEqual(check('batch', 'CronJob', cronJob({})), ['spec.schedule: Required value']);
  assert.deepEqual(check('batch', 'CronJob', cronJob({ schedule: '0 3 * * *' })), []);
});

test('TZ= in a CronJob schedule is forbidden in favour of spec.timeZone, which must be a real zone', () => {
  assert.deepEqual(check('batch', 'CronJob', cronJob({ schedule: 'TZ=UTC 0 3 * * *' })), [
    'spec.schedule: Invalid value: "TZ=UTC 0 3 * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
  ]);
  assert.deepEqual(check('batch', 'CronJob', cronJob({ schedule: '0 3 * * *', timeZone: 'Mars/Olympus' })), [
    'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
  ]);
  assert.deepEqual(check('batch', 'CronJob', cronJob({ schedule: '0 3 * * *', timeZone: 'Europe/Paris' })), []);
});

test('CronJob names are limited to 52 characters and concurrency policies are checked', () => {
  const long = 'a'.repeat(53);
  assert.deepEqual(check('batch', 'CronJob', cronJob({ schedule: '@daily' }, long)), [`metadata.name: Invalid value: "${long}": must be no more than 52 characters`]);
  assert.deepEqual(check('batch', 'CronJob', cronJob({ schedule: '@daily', concurrencyPolicy: 'Sometimes' })), [
    'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
  ]);
});

// ---- services ----

function service(spec: Record<string, unknown>): KubeObject {
  return { metadata: { name: 'web', namespace: 'default' }, spec };
}

test('services need ports unless headless or ExternalName', () => {
  assert.deepEqual(check('', 'Service', service({ selector: { app: 'web' } })), ['spec.ports: Required value']);
  assert.deepEqual(check('', 'Service', service({ clusterIP: 'None', selector: { app: 'web' } })), []);
  assert.deepEqual(check('', 'Service', service({ type: 'ExternalName', externalName: 'db.example.com' })), []);
  assert.deepEqual(check('', 'Service', service({ type: 'ExternalName' })), ['spec.externalName: Required value']);
});

test('service ports must be in range, named when there are several, and unique', () => {
  const lines = check('', 'Service', service({ ports: [{ port: 0 }, { name: 'http', port: 80 }, { name: 'http', port: 80 }] }));
  assert.deepEqual(lines, [
    'spec.ports[0].name: Required value',
    'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
    'spec.ports[2].name: Duplicate value: "http"',
    'spec.ports[2]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
  ]);
});

test('service types must be known', () => {
  assert.deepEqual(check('', 'Service', service({ type: 'Magic', ports: [{ port: 80 }] })), [
    'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  ]);
});

test('an allocated cluster IP may not change, but may be omitted on update', () => {
  const old = service({ clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80 }] });
  assert.deepEqual(check('', 'Service', service({ clusterIP: '10.96.0.11', clusterIPs: ['10.96.0.11'], ports: [{ port: 80 }] }), old), [
    'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set',
  ]);
  assert.deepEqual(check('', 'Service', service({ ports: [{ port: 80 }] }), old), []);
  assert.deepEqual(check('', 'Service', service({ type: 'ExternalName', externalName: 'x.example.com' }), old), []);
});

// ---- config ----

test('changing the data of an immutable ConfigMap is forbidden with the Kubernetes message', () => {
  const old: KubeObject = { metadata: { name: 'c', namespace: 'd' }, immutable: true, data: { a: '1' } };
  const cur: KubeObject = { metadata: { name: 'c', namespace: 'd' }, immutable: true, data: { a: '2' } };
  const errs = causes('', 'ConfigMap', cur, old);
  assert.equal(invalid('ConfigMap', 'c', errs).message, 'ConfigMap "c" is invalid: data: Forbidden: field is immutable when `immutable` is set');
  assert.deepEqual(check('', 'ConfigMap', { ...cur, immutable: false, data: { a: '1' } }, old), ['immutable: Forbidden: field is immutable when `immutable` is set']);
  assert.deepEqual(check('', 'ConfigMap', { ...old, metadata: { ...old.metadata, labels: { a: 'b' } } }, old), []);
});

test('ConfigMap keys must be valid config keys and the total size at most 1 MiB', () => {
  const lines = check('', 'ConfigMap', { metadata: { name: 'c', namespace: 'd' }, data: { 'bad key': 'x', 'ok.key': 'y' } });
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^data\[bad key\]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters/);
  const big = check('', 'ConfigMap', { metadata: { name: 'c', namespace: 'd' }, data: { a: 'x'.repeat(1024 * 1024 + 1) } });
  assert.equal(big.length, 1);
  assert.ok(big[0].startsWith(': Too long'));
});

test('Secret data must be base64, TLS secrets need their keys and the type is immutable', () => {
  assert.equal(base64DecodeError('aGVsbG8='), undefined);
  assert.equal(base64DecodeError('not base64!'), 'illegal base64 data at input byte 3');
  assert.deepEqual(check('', 'Secret', { metadata: { name: 's', namespace: 'd' }, data: { a: 'not base64!' } }), [
    'data[a]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 3',
  ]);
  assert.deepEqual(check('', 'Secret', { metadata: { name: 's', namespace: 'd' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }), [
    'data[tls.key]: Required value',
  ]);
  assert.deepEqual(check('', 'Secret', { metadata: { name: 's', namespace: 'd' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==', 'tls.key': 'eA==' } }, { metadata: { name: 's', namespace: 'd' } }), [
    'type: Invalid value: "kubernetes.io/tls": field is immutable',
  ]);
});

// ---- rbac ----

test('RBAC rules need verbs, groups and resources', () => {
  assert.deepEqual(check('rbac.authorization.k8s.io', 'Role', { metadata: { name: 'r', namespace: 'd' }, rules: [{ resources: ['pods'] }] }), [
    'rules[0].verbs: Required value: verbs must contain at least one value',
    'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
  ]);
  assert.deepEqual(check('rbac.authorization.k8s.io', 'ClusterRole', { metadata: { name: 'system:x' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] }), []);
});

test('a binding roleRef is required, valid and cannot change', () => {
  const rb = (name: string): KubeObject => ({ metadata: { name: 'b', namespace: 'd' }, roleRef: { kind: 'Role', name }, subjects: [{ kind: 'User', name: 'alice' }] });
  assert.deepEqual(check('rbac.authorization.k8s.io', 'RoleBinding', rb('view')), []);
  assert.deepEqual(check('rbac.authorization.k8s.io', 'RoleBinding', rb('')), ['roleRef.name: Required value']);
  assert.deepEqual(check('rbac.authorization.k8s.io', 'RoleBinding', rb('edit'), rb('view')), [
    'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"edit"}: cannot change roleRef',
  ]);
  assert.deepEqual(
    check('rbac.authorization.k8s.io', 'ClusterRoleBinding', { metadata: { name: 'b' }, roleRef: { kind: 'Role', name: 'x' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }] }),
    ['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"', 'subjects[0].namespace: Required value'],
  );
});

// ---- networking ----

test('Ingress rules need paths with a path type and a backend', () => {
  const ing = (rules: unknown[]): KubeObject => ({ metadata: { name: 'i', namespace: 'd' }, spec: { rules } });
  assert.deepEqual(check('networking.k8s.io', 'Ingress', ing([])), [
    'spec: Invalid value: []networking.IngressRule{}: either `defaultBackend` or `rules` must be specified',
  ]);
  assert.deepEqual(
    check('networking.k8s.io', 'Ingress', ing([{ host: 'example.com', http: { paths: [{ path: '/', backend: { service: { name: 'web', port: { number: 80 } } } }] } }])),
    ['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified'],
  );
  assert.deepEqual(
    check('networking.k8s.io', 'Ingress', ing([{ host: '10.0.0.1', http: { paths: [{ path: 'api', pathType: 'Prefix', backend: { service: { name: 'web' } } }] } }])),
    [
      'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
      'spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path',
      'spec.rules[0].http.paths[0].backend: Required value: port name or number is required',
    ],
  );
  assert.deepEqual(
    check('networking.k8s.io', 'Ingress', ing([{ host: '*.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }])),
    [],
  );
});

test('NetworkPolicy peers need a selector or ipBlock', () => {
  const lines = check('networking.k8s.io', 'NetworkPolicy', { metadata: { name: 'n', namespace: 'd' }, spec: { podSelector: {}, ingress: [{ from: [{}] }] } });
  assert.deepEqual(lines, ['spec.ingress[0].from[0]: Required value: must specify a peer']);
});

// ---- storage, coordination, events, discovery, autoscaling, policy ----

test('a PVC needs access modes and a storage request, and its spec is immutable', () => {
  const pvc = (spec: Record<string, unknown>): KubeObject => ({ metadata: { name: 'c', namespace: 'd' }, spec });
  assert.deepEqual(check('', 'PersistentVolumeClaim', pvc({})), [
    'spec.accessModes: Required value: at least 1 access mode is required',
    'spec.resources[storage]: Required value',
  ]);
  const ok = pvc({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
  assert.deepEqual(check('', 'PersistentVolumeClaim', ok), []);
  assert.deepEqual(check('', 'PersistentVolumeClaim', pvc({ accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } }), ok), [
    'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
  ]);
});

test('a Lease duration must be positive', () => {
  assert.deepEqual(check('coordination.k8s.io', 'Lease', { metadata: { name: 'l', namespace: 'd' }, spec: { leaseDurationSeconds: 0 } }), [
    'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
  ]);
});

test('a core Event must be in its involved object namespace', () => {
  const ev = (ns: string, involvedNs: string): KubeObject => ({ metadata: { name: 'e.1', namespace: ns }, involvedObject: { kind: 'Pod', name: 'p', namespace: involvedNs }, reason: 'X' });
  assert.deepEqual(check('', 'Event', ev('default', 'default')), []);
  assert.deepEqual(check('', 'Event', ev('default', 'other')), ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
});

test('an events.k8s.io Event needs its reporting fields and a valid type', () => {
  const lines = check('events.k8s.io', 'Event', { metadata: { name: 'e', namespace: 'default' }, eventTime: '2024-01-01T00:00:00.000000Z', regarding: { namespace: 'default' }, type: 'Odd' });
  assert.deepEqual(lines, [
    'reportingController: Required value',
    // Kubernetes also runs the qualified-name check on the empty value.
    'reportingController: Invalid value: "": name part must be non-empty',
    `reportingController: Invalid value: "": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    'reportingInstance: Required value',
    'action: Required value',
    'reason: Required value',
    'type: Invalid value: "": has invalid value: Odd',
  ]);
});

test('an EndpointSlice address type must be known and is immutable', () => {
  const slice = (addressType: string): KubeObject => ({ metadata: { name: 's', namespace: 'd' }, addressType, endpoints: [{ addresses: ['10.0.0.1'] }] });
  assert.deepEqual(check('discovery.k8s.io', 'EndpointSlice', slice('IPv4')), []);
  assert.deepEqual(check('discovery.k8s.io', 'EndpointSlice', slice('IPv5')), ['addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"']);
  assert.deepEqual(check('discovery.k8s.io', 'EndpointSlice', slice('IPv6'), slice('IPv4')), ['addressType: Invalid value: "IPv6": field is immutable']);
});

test('an HPA needs a scale target and sane replica bounds', () => {
  const lines = check('autoscaling', 'HorizontalPodAutoscaler', { metadata: { name: 'h', namespace: 'd' }, spec: { minReplicas: 3, maxReplicas: 2, scaleTargetRef: { kind: 'Deployment' } } });
  assert.deepEqual(lines, ['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`', 'spec.scaleTargetRef.name: Required value']);
});

test('a PDB may not set both minAvailable and maxUnavailable', () => {
  const lines = check('policy', 'PodDisruptionBudget', { metadata: { name: 'p', namespace: 'd' }, spec: { minAvailable: 1, maxUnavailable: '10%', selector: { matchLabels: { a: 'b' } } } });
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^spec: Invalid value: policy\.PodDisruptionBudgetSpec\{.*\}: minAvailable and maxUnavailable cannot be both set$/);
  assert.deepEqual(check('policy', 'PodDisruptionBudget', { metadata: { name: 'p', namespace: 'd' }, spec: { selector: { matchLabels: { a: 'b' } } } }), []);
});

test('CRD and APIService names must follow their specs', () => {
  const crd = (name: string): KubeObject => ({
    metadata: { name },
    spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true }] },
  });
  assert.deepEqual(check('apiextensions.k8s.io', 'CustomResourceDefinition', crd('widgets.example.com')), []);
  assert.deepEqual(check('apiextensions.k8s.io', 'CustomResourceDefinition', crd('widget.example.com')), [
    'metadata.name: Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group',
  ]);
  const svc = (name: string): KubeObject => ({ metadata: { name }, spec: { group: 'metrics.k8s.io', version: 'v1beta1', groupPriorityMinimum: 100, versionPriority: 100 } });
  assert.deepEqual(check('apiregistration.k8s.io', 'APIService', svc('v1beta1.metrics.k8s.io')), []);
  assert.deepEqual(check('apiregistration.k8s.io', 'APIService', svc('metrics')), [
    'metadata.name: Invalid value: "metrics": must be `spec.version+"."+spec.group`: "v1beta1.metrics.k8s.io"',
  ]);
});

test('review objects skip metadata validation', () => {
  assert.deepEqual(check('authorization.k8s.io', 'SelfSubjectAccessReview', { metadata: {}, spec: { resourceAttributes: { verb: 'get', resource: 'pods' } } }), []);
  assert.deepEqual(check('authentication.k8s.io', 'TokenReview', { metadata: {}, spec: { token: 'x' } }), []);
});
