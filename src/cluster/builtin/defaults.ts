/**
 * The defaults kube-apiserver fills into built-in objects when it decodes them
 * (pkg/apis/<group>/v1/defaults.go and the generated defaulters, which apply a type's defaults
 * wherever that type is nested: a PodSpec inside any template, a PVC spec inside a StatefulSet's
 * volumeClaimTemplates). GitOps diffs compare live objects against these, so the values must match.
 *
 * Also here: the few create-time changes registry strategies make that are not defaults
 * (`prepareForCreate`: Namespace finalizers and phase) and the Job selector generation
 * (`generateJobSelector`), which needs the new object's uid.
 */
import type { KubeObject, ResourceType } from '../objects.js';
import { clone, ensureMap, getArray, getMap, getString, getStringMap, isMap, isSet, setDefault, type JsonMap } from './util.js';

/** Applies kube-apiserver's defaults for this type and version. Pure: returns a new object. */
export function applyBuiltinDefaults(type: ResourceType, obj: KubeObject): KubeObject {
  return defaultBuiltinInPlace(type, clone(obj));
}

/**
 * {@link applyBuiltinDefaults} on an object the caller owns outright (a private copy sharing
 * nothing): fills it in place and returns it, saving the copy on the API server's write path.
 */
export function defaultBuiltinInPlace(type: ResourceType, obj: KubeObject): KubeObject {
  if (!isMap(obj.metadata)) obj.metadata = {};
  const fn = DEFAULTERS[`${type.group}/${type.kind}`];
  if (fn) fn(obj, type.version);
  return obj;
}

type Defaulter = (obj: KubeObject, version: string) => void;

const DEFAULTERS: Record<string, Defaulter> = {
  '/Pod': defaultPod,
  '/PodTemplate': (o) => defaultPodTemplateSpec(getMap(o, 'template')),
  '/ReplicationController': defaultReplicationController,
  '/Service': defaultService,
  '/Secret': defaultSecret,
  '/Namespace': defaultNamespace,
  '/PersistentVolumeClaim': (o) => defaultPVC(o),
  '/PersistentVolume': defaultPV,
  '/Endpoints': defaultEndpoints,
  '/LimitRange': defaultLimitRange,
  '/Node': defaultNode,
  'apps/Deployment': defaultDeployment,
  'apps/ReplicaSet': defaultReplicaSet,
  'apps/StatefulSet': defaultStatefulSet,
  'apps/DaemonSet': defaultDaemonSet,
  'batch/Job': defaultJob,
  'batch/CronJob': defaultCronJob,
  'autoscaling/HorizontalPodAutoscaler': defaultHPA,
  'networking.k8s.io/NetworkPolicy': defaultNetworkPolicy,
  'networking.k8s.io/IngressClass': defaultIngressClass,
  'discovery.k8s.io/EndpointSlice': defaultEndpointSlice,
  'rbac.authorization.k8s.io/RoleBinding': defaultRoleBinding,
  'rbac.authorization.k8s.io/ClusterRoleBinding': defaultRoleBinding,
  'scheduling.k8s.io/PriorityClass': (o) => setDefault(o, 'preemptionPolicy', 'PreemptLowerPriority'),
  'storage.k8s.io/StorageClass': defaultStorageClass,
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': (o) => defaultWebhooks(o, false),
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': (o) => defaultWebhooks(o, true),
  'apiextensions.k8s.io/CustomResourceDefinition': defaultCRD,
  'apiregistration.k8s.io/APIService': (o) => {
    const svc = getMap(getMap(o, 'spec'), 'service');
    if (svc) setDefault(svc, 'port', 443);
  },
};

function spec(o: KubeObject): JsonMap {
  return ensureMap(o, 'spec');
}

function forEachMap(list: unknown, fn: (m: JsonMap, i: number) => void): void {
  if (!Array.isArray(list)) return;
  list.forEach((v, i) => {
    if (isMap(v)) fn(v, i);
  });
}

// ---- PodSpec and everything nested in it ----

/** Image pull policy default: Always for `:latest` or no tag (and no digest), else IfNotPresent. */
export function defaultImagePullPolicy(image: string): 'Always' | 'IfNotPresent' {
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}

const NAME_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const DOMAIN = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?';
const REFERENCE_RE = new RegExp(
  `^(?:${DOMAIN}/)?${NAME_COMPONENT}(?:/${NAME_COMPONENT})*(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`,
);

/** The tag kubelet's image parser reports: '' when the reference does not parse, 'latest' when neither tag nor digest is given. */
function imageTag(image: string): string {
  const m = REFERENCE_RE.exec(image);
  if (!m) return '';
  const tag = m[1] ?? '';
  const digest = m[2] ?? '';
  return tag === '' && digest === '' ? 'latest' : tag;
}

function defaultHTTPGet(h: JsonMap | undefined): void {
  if (!h) return;
  setDefault(h, 'path', '/');
  setDefault(h, 'scheme', 'HTTP');
}

function defaultProbe(p: JsonMap | undefined): void {
  if (!p) return;
  defaultHTTPGet(getMap(p, 'httpGet'));
  for (const [k, v] of [
    ['timeoutSeconds', 1],
    ['periodSeconds', 10],
    ['successThreshold', 1],
    ['failureThreshold', 3],
  ] as const) {
    if (p[k] === undefined || p[k] === null || p[k] === 0) p[k] = v;
  }
}

function defaultFieldRef(holder: JsonMap | undefined): void {
  const ref = getMap(holder, 'fieldRef');
  if (ref) setDefault(ref, 'apiVersion', 'v1');
}

function defaultContainer(c: JsonMap): void {
  if (!getString(c, 'imagePullPolicy')) c.imagePullPolicy = defaultImagePullPolicy(getString(c, 'image'));
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  forEachMap(c.ports, (p) => setDefault(p, 'protocol', 'TCP'));
  if (!isMap(c.resources)) c.resources = {};
  forEachMap(c.env, (e) => defaultFieldRef(getMap(e, 'valueFrom')));
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(getMap(c, probe));
  const lifecycle = getMap(c, 'lifecycle');
  for (const hook of ['postStart', 'preStop']) defaultHTTPGet(getMap(getMap(lifecycle, hook), 'httpGet'));
}

function defaultKeyMode(src: JsonMap | undefined): void {
  if (src) setDefault(src, 'defaultMode', 420);
}

/** The source keys a Volume may carry; when none is set Kubernetes defaults to an emptyDir. */
export const VOLUME_SOURCES = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'flocker', 'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'quobyte', 'downwardAPI', 'fc', 'flexVolume', 'configMap',
  'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'storageos', 'projected', 'scaleIO',
  'csi', 'ephemeral', 'image',
] as const;

function defaultVolume(v: JsonMap): void {
  if (!VOLUME_SOURCES.some((s) => isSet(v, s))) v.emptyDir = {};
  defaultKeyMode(getMap(v, 'secret'));
  defaultKeyMode(getMap(v, 'configMap'));
  const downward = getMap(v, 'downwardAPI');
  if (downward) {
    defaultKeyMode(downward);
    forEachMap(downward.items, defaultFieldRef);
  }
  const projected = getMap(v, 'projected');
  if (projected) {
    defaultKeyMode(projected);
    forEachMap(projected.sources, (s) => {
      const token = getMap(s, 'serviceAccountToken');
      if (token) setDefault(token, 'expirationSeconds', 3600);
      forEachMap(getMap(s, 'downwardAPI')?.items, defaultFieldRef);
    });
  }
  const hostPath = getMap(v, 'hostPath');
  if (hostPath && (hostPath.type === undefined || hostPath.type === null)) hostPath.type = '';
  const iscsi = getMap(v, 'iscsi');
  if (iscsi) setDefault(iscsi, 'iscsiInterface', 'default');
  const rbd = getMap(v, 'rbd');
  if (rbd) {
    setDefault(rbd, 'pool', 'rbd');
    setDefault(rbd, 'user', 'admin');
    setDefault(rbd, 'keyring', '/etc/ceph/keyring');
  }
  const azureDisk = getMap(v, 'azureDisk');
  if (azureDisk) {
    setDefault(azureDisk, 'cachingMode', 'ReadWrite');
    setDefault(azureDisk, 'kind', 'Shared');
    setDefault(azureDisk, 'fsType', 'ext4');
    if (typeof azureDisk.readOnly !== 'boolean') azureDisk.readOnly = false;
  }
  const scaleIO = getMap(v, 'scaleIO');
  if (scaleIO) {
    setDefault(scaleIO, 'storageMode', 'ThinProvisioned');
    setDefault(scaleIO, 'fsType', 'xfs');
  }
  const claimTemplate = getMap(getMap(v, 'ephemeral'), 'volumeClaimTemplate');
  if (claimTemplate) defaultPVCSpec(getMap(claimTemplate, 'spec'));
}

/** PodSpec defaults (SetDefaults_PodSpec and the nested Container, Volume, Probe, ... defaults). */
export function defaultPodSpec(s: JsonMap | undefined): void {
  if (!s) return;
  setDefault(s, 'dnsPolicy', 'ClusterFirst');
  setDefault(s, 'restartPolicy', 'Always');
  if (s.hostNetwork === true) {
    for (const list of [s.containers, s.initContainers]) {
      forEachMap(list, (c) =>
        forEachMap(c.ports, (p) => {
          if (!p.hostPort && typeof p.containerPort === 'number') p.hostPort = p.containerPort;
        }),
      );
    }
  }
  if (!isMap(s.securityContext)) s.securityContext = {};
  if (s.terminationGracePeriodSeconds === undefined || s.terminationGracePeriodSeconds === null) s.terminationGracePeriodSeconds = 30;
  setDefault(s, 'schedulerName', 'default-scheduler');
  for (const list of [s.containers, s.initContainers, s.ephemeralContainers]) forEachMap(list, defaultContainer);
  forEachMap(s.volumes, defaultVolume);
}

function defaultPodTemplateSpec(t: JsonMap | undefined): void {
  if (t) defaultPodSpec(getMap(t, 'spec'));
}

function defaultPod(o: KubeObject): void {
  const s = spec(o);
  defaultPodSpec(s);
  // Pod only (not templates): requests default to limits, service links on.
  for (const list of [s.containers, s.initContainers]) {
    forEachMap(list, (c) => {
      const res = getMap(c, 'resources');
      const limits = getMap(res, 'limits');
      if (!res || !limits) return;
      const requests = ensureMap(res, 'requests');
      for (const [k, v] of Object.entries(limits)) if (requests[k] === undefined) requests[k] = v;
    });
  }
  if (typeof s.enableServiceLinks !== 'boolean') s.enableServiceLinks = true;
}

// ---- workloads ----

function setReplicas(s: JsonMap): void {
  if (s.replicas === undefined || s.replicas === null) s.replicas = 1;
}

function defaultReplicationController(o: KubeObject): void {
  const s = spec(o);
  const labels = getStringMap(getMap(getMap(s, 'template'), 'metadata'), 'labels');
  if (labels) {
    if (!isMap(s.selector) || Object.keys(s.selector).length === 0) s.selector = { ...labels };
    if (!isMap(o.metadata.labels) || Object.keys(o.metadata.labels).length === 0) o.metadata.labels = { ...labels };
  }
  setReplicas(s);
  defaultPodTemplateSpec(getMap(s, 'template'));
}

function defaultDeployment(o: KubeObject): void {
  const s = spec(o);
  setReplicas(s);
  const strategy = ensureMap(s, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = ensureMap(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', '25%');
    setDefault(ru, 'maxSurge', '25%');
  }
  if (s.revisionHistoryLimit === undefined || s.revisionHistoryLimit === null) s.revisionHistoryLimit = 10;
  if (s.progressDeadlineSeconds === undefined || s.progressDeadlineSeconds === null) s.progressDeadlineSeconds = 600;
  defaultPodTemplateSpec(getMap(s, 'template'));
}

function defaultReplicaSet(o: KubeObject): void {
  const s = spec(o);
  setReplicas(s);
  defaultPodTemplateSpec(getMap(s, 'template'));
}

function defaultStatefulSet(o: KubeObject): void {
  const s = spec(o);
  setDefault(s, 'podManagementPolicy', 'OrderedReady');
  const us = ensureMap(s, 'updateStrategy');
  if (!getString(us, 'type')) {
    us.type = 'RollingUpdate';
    if (!isMap(us.rollingUpdate)) us.rollingUpdate = {};
  }
  const ru = getMap(us, 'rollingUpdate');
  if (us.type === 'RollingUpdate' && ru && (ru.partition === undefined || ru.partition === null)) ru.partition = 0;
  const retention = ensureMap(s, 'persistentVolumeClaimRetentionPolicy');
  setDefault(retention, 'whenDeleted', 'Retain');
  setDefault(retention, 'whenScaled', 'Retain');
  setReplicas(s);
  if (s.revisionHistoryLimit === undefined || s.revisionHistoryLimit === null) s.revisionHistoryLimit = 10;
  defaultPodTemplateSpec(getMap(s, 'template'));
  forEachMap(s.volumeClaimTemplates, (pvc) => defaultPVC(pvc));
}

function defaultDaemonSet(o: KubeObject): void {
  const s = spec(o);
  const us = ensureMap(s, 'updateStrategy');
  setDefault(us, 'type', 'RollingUpdate');
  if (us.type === 'RollingUpdate') {
    const ru = ensureMap(us, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', 1);
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = 0;
  }
  if (s.revisionHistoryLimit === undefined || s.revisionHistoryLimit === null) s.revisionHistoryLimit = 10;
  defaultPodTemplateSpec(getMap(s, 'template'));
}

function defaultJob(o: KubeObject): void {
  const s = spec(o);
  const unset = (k: string) => s[k] === undefined || s[k] === null;
  if (unset('completions') && unset('parallelism')) {
    s.completions = 1;
    s.parallelism = 1;
  }
  if (unset('parallelism')) s.parallelism = 1;
  if (unset('backoffLimit')) s.backoffLimit = unset('backoffLimitPerIndex') ? 6 : 2147483647;
  const templateLabels = getStringMap(getMap(getMap(s, 'template'), 'metadata'), 'labels');
  if (templateLabels && (!isMap(o.metadata.labels) || Object.keys(o.metadata.labels).length === 0)) {
    o.metadata.labels = { ...templateLabels };
  }
  if (unset('completionMode')) s.completionMode = 'NonIndexed';
  if (unset('suspend')) s.suspend = false;
  forEachMap(getMap(s, 'podFailurePolicy')?.rules, (rule) =>
    forEachMap(rule.onPodConditions, (c) => setDefault(c, 'status', 'True')),
  );
  if (unset('podReplacementPolicy')) s.podReplacementPolicy = isSet(s, 'podFailurePolicy') ? 'Failed' : 'TerminatingOrFailed';
  defaultPodTemplateSpec(getMap(s, 'template'));
}

function defaultCronJob(o: KubeObject): void {
  const s = spec(o);
  setDefault(s, 'concurrencyPolicy', 'Allow');
  if (typeof s.suspend !== 'boolean') s.suspend = false;
  if (s.successfulJobsHistoryLimit === undefined || s.successfulJobsHistoryLimit === null) s.successfulJobsHistoryLimit = 3;
  if (s.failedJobsHistoryLimit === undefined || s.failedJobsHistoryLimit === null) s.failedJobsHistoryLimit = 1;
  defaultPodTemplateSpec(getMap(getMap(getMap(s, 'jobTemplate'), 'spec'), 'template'));
}

/**
 * Generates a Job's selector and pod labels the way the Job registry does on create (unless
 * `spec.manualSelector` is true): template labels `batch.kubernetes.io/controller-uid`,
 * `batch.kubernetes.io/job-name`, `controller-uid`, `job-name` (each only when not already set), and
 * `spec.selector.matchLabels["batch.kubernetes.io/controller-uid"] = uid`. Pure. Call it after
 * `applyBuiltinDefaults` and after the uid is assigned, before validation.
 *
 * Kubernetes copies the template labels into an empty `metadata.labels` when defaulting (sharing the
 * Go map, so the generated labels show there too); a Job whose labels came from that copy gets the
 * generated labels as well.
 */
export function generateJobSelector(job: KubeObject, uid: string): KubeObject {
  const out = clone(job);
  if (!isMap(out.metadata)) out.metadata = {};
  const s = spec(out);
  if (s.manualSelector === true) return out;
  const template = ensureMap(s, 'template');
  const tmeta = ensureMap(template, 'metadata');
  const labels = ensureMap(tmeta, 'labels');
  const before = { ...labels };
  const jobLabels = out.metadata.labels;
  const labelsWereCopied =
    !isMap(jobLabels) || Object.keys(jobLabels).length === 0 || JSON.stringify(sortedEntries(jobLabels)) === JSON.stringify(sortedEntries(before));
  const name = typeof out.metadata.name === 'string' ? out.metadata.name : '';
  for (const k of ['job-name', 'batch.kubernetes.io/job-name']) if (!(k in labels)) labels[k] = name;
  for (const k of ['controller-uid', 'batch.kubernetes.io/controller-uid']) if (!(k in labels)) labels[k] = uid;
  const selector = ensureMap(s, 'selector');
  const matchLabels = ensureMap(selector, 'matchLabels');
  if (!('batch.kubernetes.io/controller-uid' in matchLabels)) matchLabels['batch.kubernetes.io/controller-uid'] = uid;
  if (labelsWereCopied) out.metadata.labels = { ...(labels as Record<string, string>) };
  return out;
}

function sortedEntries(m: Record<string, unknown>): [string, unknown][] {
  return Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

// ---- core objects ----

function defaultService(o: KubeObject): void {
  const s = spec(o);
  setDefault(s, 'sessionAffinity', 'None');
  if (s.sessionAffinity === 'None') delete s.sessionAffinityConfig;
  if (s.sessionAffinity === 'ClientIP') {
    const timeout = getMap(getMap(s, 'sessionAffinityConfig'), 'clientIP')?.timeoutSeconds;
    if (typeof timeout !== 'number') s.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  setDefault(s, 'type', 'ClusterIP');
  forEachMap(s.ports, (p) => {
    setDefault(p, 'protocol', 'TCP');
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  });
  const type = s.type;
  const externalIPs = getArray(s, 'externalIPs') ?? [];
  const externallyAccessible = type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && externalIPs.length > 0);
  if (externallyAccessible) setDefault(s, 'externalTrafficPolicy', 'Cluster');
  if (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP') setDefault(s, 'internalTrafficPolicy', 'Cluster');
  if (type === 'LoadBalancer' && typeof s.allocateLoadBalancerNodePorts !== 'boolean') s.allocateLoadBalancerNodePorts = true;
  // Set by the Service registry's IP-family logic rather than defaults.go: single stack, except that
  // headless Services without a selector are made RequireDualStack (they take every cluster family).
  if (type !== 'ExternalName') {
    const headlessNoSelector = s.clusterIP === 'None' && (!isMap(s.selector) || Object.keys(s.selector).length === 0);
    setDefault(s, 'ipFamilyPolicy', headlessNoSelector ? 'RequireDualStack' : 'SingleStack');
  }
}

/**
 * Secret type Opaque; and `stringData`, which the v1-to-internal conversion merges into `data`
 * (base64, overriding) and drops, so it never reaches storage or responses.
 */
function defaultSecret(o: KubeObject): void {
  setDefault(o, 'type', 'Opaque');
  const stringData = getMap(o, 'stringData');
  if (stringData) {
    const data = ensureMap(o, 'data');
    for (const [k, v] of Object.entries(stringData)) {
      data[k] = Buffer.from(typeof v === 'string' ? v : String(v), 'utf8').toString('base64');
    }
  }
  delete o.stringData;
}

function defaultNamespace(o: KubeObject): void {
  const name = typeof o.metadata.name === 'string' ? o.metadata.name : '';
  if (name) {
    const labels = isMap(o.metadata.labels) ? o.metadata.labels : {};
    labels['kubernetes.io/metadata.name'] = name;
    o.metadata.labels = labels;
  }
  const status = ensureMap(o, 'status');
  setDefault(status, 'phase', 'Active');
}

function defaultPVCSpec(s: JsonMap | undefined): void {
  if (s) setDefault(s, 'volumeMode', 'Filesystem');
}

function defaultPVC(o: JsonMap): void {
  defaultPVCSpec(ensureMap(o, 'spec'));
  setDefault(ensureMap(o, 'status'), 'phase', 'Pending');
}

function defaultPV(o: KubeObject): void {
  const s = spec(o);
  setDefault(s, 'persistentVolumeReclaimPolicy', 'Retain');
  setDefault(s, 'volumeMode', 'Filesystem');
  setDefault(ensureMap(o, 'status'), 'phase', 'Pending');
}

function defaultEndpoints(o: KubeObject): void {
  forEachMap(o.subsets, (ss) => forEachMap(ss.ports, (p) => setDefault(p, 'protocol', 'TCP')));
}

function defaultLimitRange(o: KubeObject): void {
  forEachMap(getMap(o, 'spec')?.limits, (item) => {
    if (item.type !== 'Container') return;
    const def = ensureMap(item, 'default');
    const defReq = ensureMap(item, 'defaultRequest');
    for (const [k, v] of Object.entries(getMap(item, 'max') ?? {})) if (def[k] === undefined) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (defReq[k] === undefined) defReq[k] = v;
    for (const [k, v] of Object.entries(getMap(item, 'min') ?? {})) if (defReq[k] === undefined) defReq[k] = v;
  });
}

function defaultNode(o: KubeObject): void {
  const status = getMap(o, 'status');
  const capacity = getMap(status, 'capacity');
  if (status && capacity && !isMap(status.allocatable)) status.allocatable = { ...capacity };
}

// ---- other groups ----

function defaultHPA(o: KubeObject, version: string): void {
  const s = spec(o);
  if (s.minReplicas === undefined || s.minReplicas === null) s.minReplicas = 1;
  if (version === 'v1') return; // v1 leaves targetCPUUtilizationPercentage unset
  const metrics = getArray(s, 'metrics');
  if (!metrics || metrics.length === 0) {
    s.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  const behavior = getMap(s, 'behavior');
  if (behavior) {
    behavior.scaleUp = mergeScalingRules(getMap(behavior, 'scaleUp'), {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    });
    behavior.scaleDown = mergeScalingRules(getMap(behavior, 'scaleDown'), {
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    });
  }
}

function mergeScalingRules(from: JsonMap | undefined, defaults: JsonMap): JsonMap {
  const out: JsonMap = { ...defaults };
  if (!from) return out;
  for (const [k, v] of Object.entries(from)) if (v !== undefined && v !== null) out[k] = v;
  return out;
}

function defaultNetworkPolicy(o: KubeObject): void {
  const s = spec(o);
  for (const dir of ['ingress', 'egress']) {
    forEachMap(s[dir], (rule) => forEachMap(rule.ports, (p) => setDefault(p, 'protocol', 'TCP')));
  }
  const types = getArray(s, 'policyTypes');
  if (!types || types.length === 0) {
    const egress = getArray(s, 'egress');
    s.policyTypes = egress && egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

function defaultIngressClass(o: KubeObject): void {
  const params = getMap(getMap(o, 'spec'), 'parameters');
  if (params) setDefault(params, 'scope', 'Cluster');
}

function defaultEndpointSlice(o: KubeObject): void {
  forEachMap(o.ports, (p) => {
    if (typeof p.name !== 'string') p.name = '';
    setDefault(p, 'protocol', 'TCP');
  });
}

function defaultRoleBinding(o: KubeObject): void {
  const roleRef = ensureMap(o, 'roleRef');
  setDefault(roleRef, 'apiGroup', 'rbac.authorization.k8s.io');
  forEachMap(o.subjects, (subj) => {
    if (getString(subj, 'apiGroup')) return;
    if (subj.kind === 'User' || subj.kind === 'Group') subj.apiGroup = 'rbac.authorization.k8s.io';
    else if (subj.kind === 'ServiceAccount') subj.apiGroup = '';
  });
}

function defaultStorageClass(o: KubeObject): void {
  setDefault(o, 'reclaimPolicy', 'Delete');
  setDefault(o, 'volumeBindingMode', 'Immediate');
}

function defaultWebhooks(o: KubeObject, mutating: boolean): void {
  forEachMap(o.webhooks, (w) => {
    setDefault(w, 'failurePolicy', 'Fail');
    setDefault(w, 'matchPolicy', 'Equivalent');
    if (!isMap(w.namespaceSelector)) w.namespaceSelector = {};
    if (!isMap(w.objectSelector)) w.objectSelector = {};
    if (w.timeoutSeconds === undefined || w.timeoutSeconds === null) w.timeoutSeconds = 10;
    if (mutating) setDefault(w, 'reinvocationPolicy', 'Never');
    forEachMap(w.rules, (r) => setDefault(r, 'scope', '*'));
    const svc = getMap(getMap(w, 'clientConfig'), 'service');
    if (svc) setDefault(svc, 'port', 443);
  });
}

function defaultCRD(o: KubeObject): void {
  const s = spec(o);
  const names = ensureMap(s, 'names');
  const kind = getString(names, 'kind');
  if (!getString(names, 'singular')) names.singular = kind.toLowerCase();
  if (!getString(names, 'listKind') && kind) names.listKind = `${kind}List`;
  if (!isMap(s.conversion)) s.conversion = { strategy: 'None' };
  const svc = getMap(getMap(getMap(s, 'conversion'), 'webhook')?.clientConfig, 'service');
  if (svc) setDefault(svc, 'port', 443);
  const status = ensureMap(o, 'status');
  const stored = getArray(status, 'storedVersions');
  if (!stored || stored.length === 0) {
    const storage = (getArray(s, 'versions') ?? []).find((v) => isMap(v) && v.storage === true);
    if (isMap(storage) && typeof storage.name === 'string') status.storedVersions = [storage.name];
  }
}

// ---- create-time registry behaviour (not defaults) ----

/**
 * What registry strategies do to a new object besides defaulting, for the kinds where it shows in
 * the stored object and is not IP allocation or selector generation. Namespace: the `kubernetes`
 * finalizer is required on create (appended when missing; it is not a default, because it may be
 * removed over the object's life) and the phase starts Active. Pure.
 */
export function prepareForCreate(type: ResourceType, obj: KubeObject): KubeObject {
  const out = clone(obj);
  if (type.group === '' && type.kind === 'Namespace') {
    const s = spec(out);
    const finalizers = (getArray(s, 'finalizers') ?? []).filter((f): f is string => typeof f === 'string');
    if (!finalizers.includes('kubernetes')) finalizers.push('kubernetes');
    s.finalizers = finalizers;
    out.status = { phase: 'Active' };
  }
  return out;
}
