/**
 * `validateBuiltin`: the shape checks kube-apiserver runs on built-in objects before storing them,
 * with Kubernetes' field paths and messages. Objects are expected to be defaulted
 * (`applyBuiltinDefaults`) first, as Kubernetes validates after defaulting; on create, generated
 * names and Job selectors are expected to be in place.
 */
import { fieldError } from '../errors.js';
import type { FieldCause, KubeObject, ResourceType } from '../objects.js';
import {
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidPathSegmentName,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
  nameIsDNS1035Label,
  nameIsDNSSubdomain,
  validateFinalizerName,
  validateKubeFinalizerName,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './names.js';
import { validateLabelSelector } from './selectors.js';
import {
  byteLength,
  child,
  clone,
  duplicateRendered,
  getArray,
  getMap,
  getNumber,
  getString,
  goQuote,
  goStringSlice,
  index,
  invalidRendered,
  isMap,
  isSet,
  type JsonMap,
  key,
  semanticEqual,
} from './util.js';
import { validatePodOnly, validatePodSpec, validatePodSpecUpdate, validatePodTemplateSpec, validatePortNumOrName } from './validate-pod.js';
import {
  validateControllerRevision,
  validateCronJob,
  validateDaemonSet,
  validateDeployment,
  validateHPA,
  validateJob,
  validatePDB,
  validateReplicaSet,
  validateReplicationController,
  validateStatefulSet,
} from './validate-workloads.js';

const IMMUTABLE = 'field is immutable';
const MAX_SECRET_SIZE = 1024 * 1024;

type KindValidator = (obj: KubeObject, old: KubeObject | undefined, type: ResourceType) => FieldCause[];

/**
 * Validates a built-in object; with `old`, validates it as an update of `old`. Kinds without
 * specific rules get object-metadata validation only.
 */
export function validateBuiltin(type: ResourceType, obj: KubeObject, old?: KubeObject, options: BuiltinValidationOptions = {}): FieldCause[] {
  const k = `${type.group}/${type.kind}`;
  if (SKIP_META.has(k)) return (VALIDATORS[k] ?? (() => []))(obj, old, type);
  let out: FieldCause[];
  if (old) out = validateObjectMetaUpdate(obj.metadata, old.metadata, { skipCommon: options.objectMetaValidated === true });
  else out = options.objectMetaValidated === true ? [] : validateObjectMeta(obj.metadata, { namespaced: type.namespaced, kind: type.kind });
  const fn = VALIDATORS[k];
  if (fn) out.push(...fn(obj, old, type));
  return out;
}

export interface BuiltinValidationOptions {
  /**
   * The caller has already run `validateObjectMeta(obj.metadata, { namespaced, kind })` and keeps
   * its causes: the checks it shares with this validation are not repeated (their causes would
   * only be duplicates).
   */
  objectMetaValidated?: boolean;
}

/**
 * The metadata half of {@link validateBuiltin} for an update (what it checks before the kind's own
 * rules): identity fields, generation and finalizers against `old`, and the common ObjectMeta rules.
 */
export function validateBuiltinMetadataUpdate(type: ResourceType, obj: KubeObject, old: KubeObject, options: BuiltinValidationOptions = {}): FieldCause[] {
  if (SKIP_META.has(`${type.group}/${type.kind}`)) return [];
  return validateObjectMetaUpdate(obj.metadata, old.metadata, { skipCommon: options.objectMetaValidated === true });
}

/** Kinds whose metadata Kubernetes does not validate (virtual objects) or validates its own way. */
const SKIP_META = new Set([
  '/Binding',
  '/Event',
  'events.k8s.io/Event',
  'authentication.k8s.io/TokenReview',
  'authentication.k8s.io/SelfSubjectReview',
  'authorization.k8s.io/SubjectAccessReview',
  'authorization.k8s.io/SelfSubjectAccessReview',
  'authorization.k8s.io/SelfSubjectRulesReview',
  'authorization.k8s.io/LocalSubjectAccessReview',
  'apiregistration.k8s.io/APIService',
  'apiextensions.k8s.io/CustomResourceDefinition',
]);

const VALIDATORS: Record<string, KindValidator> = {
  '/Pod': (o, old) => validatePod(o, old),
  '/PodTemplate': (o) => validatePodTemplateSpec(o.template, 'template'),
  '/ReplicationController': (o) => validateReplicationController(o),
  '/Service': (o, old) => validateService(o, old),
  '/ConfigMap': (o, old) => validateConfigMap(o, old),
  '/Secret': (o, old) => validateSecret(o, old),
  '/Namespace': (o, old) => (old ? [] : validateNamespace(o)),
  '/PersistentVolumeClaim': (o, old) => validatePVC(o, old),
  '/PersistentVolume': (o) => validatePV(o),
  '/Endpoints': (o) => validateEndpoints(o),
  '/Event': (o, old) => validateEvent(o, old, 'v1'),
  '/Binding': (o) => validateBinding(o),
  'apps/Deployment': (o, old) => validateDeployment(o, old),
  'apps/ReplicaSet': (o, old) => validateReplicaSet(o, old),
  'apps/StatefulSet': (o, old) => validateStatefulSet(o, old),
  'apps/DaemonSet': (o, old) => validateDaemonSet(o, old),
  'apps/ControllerRevision': (o, old) => validateControllerRevision(o, old),
  'batch/Job': (o, old) => validateJob(o, old),
  'batch/CronJob': (o, old) => validateCronJob(o, old),
  'autoscaling/HorizontalPodAutoscaler': (o, _old, t) => validateHPA(o, t.version),
  'policy/PodDisruptionBudget': (o) => validatePDB(o),
  'networking.k8s.io/Ingress': (o) => validateIngress(o),
  'networking.k8s.io/IngressClass': (o, old) => validateIngressClass(o, old),
  'networking.k8s.io/NetworkPolicy': (o) => validateNetworkPolicy(o),
  'discovery.k8s.io/EndpointSlice': (o, old) => validateEndpointSlice(o, old),
  'coordination.k8s.io/Lease': (o) => validateLease(o),
  'events.k8s.io/Event': (o, old) => validateEvent(o, old, 'events.k8s.io/v1'),
  'rbac.authorization.k8s.io/Role': (o) => validateRules(o, true),
  'rbac.authorization.k8s.io/ClusterRole': (o) => validateClusterRole(o),
  'rbac.authorization.k8s.io/RoleBinding': (o, old) => validateRoleBinding(o, old, true),
  'rbac.authorization.k8s.io/ClusterRoleBinding': (o, old) => validateRoleBinding(o, old, false),
  'storage.k8s.io/StorageClass': (o, old) => validateStorageClass(o, old),
  'scheduling.k8s.io/PriorityClass': (o, old) => validatePriorityClass(o, old),
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': (o) => validateWebhookConfiguration(o, false),
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': (o) => validateWebhookConfiguration(o, true),
  'apiextensions.k8s.io/CustomResourceDefinition': (o, old) => validateCRD(o, old),
  'apiregistration.k8s.io/APIService': (o, old) => validateAPIService(o, old),
  'authorization.k8s.io/SubjectAccessReview': (o) => validateAccessReview(o, true),
  'authorization.k8s.io/LocalSubjectAccessReview': (o) => validateAccessReview(o, true),
  'authorization.k8s.io/SelfSubjectAccessReview': (o) => validateAccessReview(o, false),
};

function specOf(o: KubeObject | undefined): JsonMap {
  return (o && getMap(o, 'spec')) ?? {};
}

function nonNegative(v: unknown, path: string): FieldCause[] {
  return typeof v === 'number' && v < 0 ? [fieldError.invalid(path, v, 'must be greater than or equal to 0')] : [];
}

// ---- core ----

function validatePod(o: KubeObject, old?: KubeObject): FieldCause[] {
  const out = validatePodSpec(o.spec, 'spec', { isPod: true });
  out.push(...validatePodOnly(o.spec, !old));
  if (old) out.push(...validatePodSpecUpdate(o.spec, old.spec));
  return out;
}

function validateConfigMap(o: KubeObject, old?: KubeObject): FieldCause[] {
  const out: FieldCause[] = [];
  if (old && old.immutable === true) {
    if (o.immutable !== true) out.push(fieldError.forbidden('immutable', 'field is immutable when `immutable` is set'));
    if (!semanticEqual(o.data, old.data)) out.push(fieldError.forbidden('data', 'field is immutable when `immutable` is set'));
    if (!semanticEqual(o.binaryData, old.binaryData)) out.push(fieldError.forbidden('binaryData', 'field is immutable when `immutable` is set'));
  }
  let total = 0;
  const binary = getMap(o, 'binaryData') ?? {};
  for (const [k, v] of Object.entries(getMap(o, 'data') ?? {})) {
    for (const m of isConfigMapKey(k)) out.push(fieldError.invalid(key('data', k), k, m));
    if (k in binary) out.push(fieldError.invalid(key('data', k), k, 'duplicate of key present in binaryData'));
    total += byteLength(typeof v === 'string' ? v : String(v));
  }
  for (const [k, v] of Object.entries(binary)) {
    for (const m of isConfigMapKey(k)) out.push(fieldError.invalid(key('binaryData', k), k, m));
    total += decodedLength(v);
  }
  if (total > MAX_SECRET_SIZE) out.push(fieldError.tooLong('', '', MAX_SECRET_SIZE));
  return out;
}

function decodedLength(v: unknown): number {
  return typeof v === 'string' ? Buffer.from(v, 'base64').length : 0;
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * For Secrets and ConfigMap binaryData Kubernetes rejects non-base64 values while decoding the
 * request (400 BadRequest, before validation). Returns that error's text (`illegal base64 data at
 * input byte N`) for the first bad value, for the API layer to report as Kubernetes does.
 */
export function base64DecodeError(value: string): string | undefined {
  if (BASE64_RE.test(value)) return undefined;
  for (let i = 0; i < value.length; i++) {
    if (!/[A-Za-z0-9+/=]/.test(value[i])) return `illegal base64 data at input byte ${i}`;
  }
  const pad = value.indexOf('=');
  return `illegal base64 data at input byte ${pad >= 0 ? pad : Math.floor(value.length / 4) * 4}`;
}

const SECRET_REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

function validateSecret(o: KubeObject, old?: KubeObject): FieldCause[] {
  const out: FieldCause[] = [];
  if (old) {
    const nt = getString(o, 'type');
    if (nt !== getString(old, 'type')) out.push(fieldError.invalid('type', nt, IMMUTABLE));
    if (old.immutable === true) {
      if (o.immutable !== true) out.push(fieldError.forbidden('immutable', 'field is immutable when `immutable` is set'));
      if (!semanticEqual(o.data, old.data)) out.push(fieldError.forbidden('data', 'field is immutable when `immutable` is set'));
    }
  }
  const data = getMap(o, 'data') ?? {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) out.push(fieldError.invalid(key('data', k), k, m));
    const s = typeof v === 'string' ? v : '';
    const err = base64DecodeError(s);
    if (err) out.push(fieldError.invalid(key('data', k), '<secret contents redacted>', err));
    total += decodedLength(s);
  }
  if (total > MAX_SECRET_SIZE) out.push(fieldError.tooLong('data', '', MAX_SECRET_SIZE));
  const type = getString(o, 'type');
  if (type === 'kubernetes.io/service-account-token') {
    if (!o.metadata.annotations?.['kubernetes.io/service-account.name']) {
      out.push(fieldError.required('metadata.annotations[kubernetes.io/service-account.name]'));
    }
  } else if (type === 'kubernetes.io/basic-auth') {
    if (!('username' in data) && !('password' in data)) {
      out.push(fieldError.required('data[username]'), fieldError.required('data[password]'));
    }
  } else {
    for (const k of SECRET_REQUIRED_KEYS[type] ?? []) if (!(k in data)) out.push(fieldError.required(key('data', k)));
  }
  return out;
}

function validateNamespace(o: KubeObject): FieldCause[] {
  const out: FieldCause[] = [];
  for (const f of getArray(specOf(o), 'finalizers') ?? []) {
    const s = String(f);
    out.push(...validateFinalizerName(s, 'spec.finalizers'), ...validateKubeFinalizerName(s, 'spec.finalizers'));
  }
  return out;
}

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

function validateAccessModes(modes: unknown, path: string, requiredDetail: string): FieldCause[] {
  const list = Array.isArray(modes) ? modes.map(String) : [];
  if (list.length === 0) return [fieldError.required(path, requiredDetail)];
  const out: FieldCause[] = [];
  for (const m of list) if (!ACCESS_MODES.includes(m)) out.push(fieldError.notSupported(path, m, ACCESS_MODES));
  if (list.includes('ReadWriteOncePod') && list.some((m) => m !== 'ReadWriteOncePod' && ACCESS_MODES.includes(m))) {
    out.push(fieldError.forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  }
  return out;
}

function validatePVCSpec(s: JsonMap, path: string): FieldCause[] {
  const out = validateAccessModes(s.accessModes, child(path, 'accessModes'), 'at least 1 access mode is required');
  if (isMap(s.selector)) out.push(...validateLabelSelector(s.selector, child(path, 'selector')));
  const storage = getMap(getMap(s, 'resources'), 'requests')?.storage;
  const sp = key(child(path, 'resources'), 'storage');
  if (storage === undefined) out.push(fieldError.required(sp));
  else if (Number.parseFloat(String(storage)) <= 0) out.push(fieldError.invalid(sp, String(storage), 'must be greater than zero'));
  const sc = s.storageClassName;
  if (typeof sc === 'string' && sc) for (const m of nameIsDNSSubdomain(sc, false)) out.push(fieldError.invalid(child(path, 'storageClassName'), sc, m));
  const vm = s.volumeMode;
  if (typeof vm === 'string' && vm !== 'Block' && vm !== 'Filesystem') out.push(fieldError.notSupported(child(path, 'volumeMode'), vm, ['Block', 'Filesystem']));
  return out;
}

function validatePVC(o: KubeObject, old?: KubeObject): FieldCause[] {
  const s = specOf(o);
  const out = validatePVCSpec(s, 'spec');
  if (old) {
    const os = specOf(old);
    const a: JsonMap = clone(s);
    const b: JsonMap = clone(os);
    // The volume name may be set once, by the binder.
    if (!getString(os, 'volumeName')) b.volumeName = a.volumeName;
    const bound = getString(getMap(o, 'status'), 'phase') === 'Bound';
    if (bound) {
      for (const m of [a, b]) {
        const req = getMap(getMap(m, 'resources'), 'requests');
        if (req) delete req.storage;
        delete m.volumeAttributesClassName;
      }
    }
    if (!semanticEqual(a, b)) {
      out.push(fieldError.forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
    }
  }
  return out;
}

const PV_SOURCES = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'quobyte', 'iscsi', 'cinder', 'cephfs',
  'fc', 'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'azureDisk', 'photonPersistentDisk', 'portworxVolume',
  'scaleIO', 'local', 'storageos', 'csi',
];

function validatePV(o: KubeObject): FieldCause[] {
  const s = specOf(o);
  const out = validateAccessModes(s.accessModes, 'spec.accessModes', '');
  const capacity = getMap(s, 'capacity') ?? {};
  if (Object.keys(capacity).length === 0) out.push(fieldError.required('spec.capacity'));
  if (!('storage' in capacity) || Object.keys(capacity).length > 1) {
    out.push({ reason: 'FieldValueNotSupported', message: 'Unsupported value: core.ResourceList{...}: supported values: "storage"', field: 'spec.capacity' });
  }
  if (!PV_SOURCES.some((src) => isSet(s, src))) out.push(fieldError.required('spec', 'must specify a volume type'));
  return out;
}

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function validateEndpoints(o: KubeObject): FieldCause[] {
  const out: FieldCause[] = [];
  (getArray(o, 'subsets') ?? []).forEach((ss, i) => {
    const p = index('subsets', i);
    const addrs = getArray(ss, 'addresses') ?? [];
    const notReady = getArray(ss, 'notReadyAddresses') ?? [];
    if (addrs.length === 0 && notReady.length === 0) out.push(fieldError.required(p, 'must specify `addresses` or `notReadyAddresses`'));
    const ports = getArray(ss, 'ports') ?? [];
    ports.forEach((port, j) => out.push(...validateNamedPort(port, ports.length > 1, index(child(p, 'ports'), j))));
  });
  return out;
}

function validateNamedPort(port: unknown, requireName: boolean, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const name = getString(port, 'name');
  if (requireName && !name) out.push(fieldError.required(child(path, 'name')));
  else if (name) for (const m of isDNS1123Label(name)) out.push(fieldError.invalid(child(path, 'name'), name, m));
  const n = getNumber(port, 'port') ?? 0;
  for (const m of isValidPortNum(n)) out.push(fieldError.invalid(child(path, 'port'), n, m));
  const proto = getString(port, 'protocol');
  if (!proto) out.push(fieldError.required(child(path, 'protocol')));
  else if (!PROTOCOLS.includes(proto)) out.push(fieldError.notSupported(child(path, 'protocol'), proto, PROTOCOLS));
  return out;
}

function validateBinding(o: KubeObject): FieldCause[] {
  const target = getMap(o, 'target');
  const out: FieldCause[] = [];
  const kind = getString(target, 'kind');
  if (kind && kind !== 'Node') out.push(fieldError.notSupported('target.kind', kind, ['Node', '<empty>']));
  if (!getString(target, 'name')) out.push(fieldError.required('target.name'));
  return out;
}

// ---- Service ----

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

function clusterIPsOf(s: JsonMap): string[] {
  const ips = (getArray(s, 'clusterIPs') ?? []).map(String);
  if (ips.length > 0) return ips;
  const ip = getString(s, 'clusterIP');
  return ip ? [ip] : [];
}

function isHeadless(s: JsonMap): boolean {
  return clusterIPsOf(s)[0] === 'None';
}

function renderServicePort(p: unknown): string {
  return `core.ServicePort{Name:"", Protocol:${goQuote(getString(p, 'protocol'))}, AppProtocol:(*string)(nil), Port:${getNumber(p, 'port') ?? 0}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;
}

function validateServicePorts(s: JsonMap): FieldCause[] {
  const out: FieldCause[] = [];
  const ports = getArray(s, 'ports') ?? [];
  const names = new Set<string>();
  const keys = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((port, i) => {
    const p = index('spec.ports', i);
    const name = getString(port, 'name');
    if (ports.length > 1 && !name) out.push(fieldError.required(child(p, 'name')));
    else if (name) {
      for (const m of isDNS1123Label(name)) out.push(fieldError.invalid(child(p, 'name'), name, m));
      if (names.has(name)) out.push(fieldError.duplicate(child(p, 'name'), name));
      else names.add(name);
    }
    const n = getNumber(port, 'port') ?? 0;
    for (const m of isValidPortNum(n)) out.push(fieldError.invalid(child(p, 'port'), n, m));
    const proto = getString(port, 'protocol');
    if (!proto) out.push(fieldError.required(child(p, 'protocol')));
    else if (!PROTOCOLS.includes(proto)) out.push(fieldError.notSupported(child(p, 'protocol'), proto, PROTOCOLS));
    out.push(...validatePortNumOrName(isMap(port) ? port.targetPort : undefined, child(p, 'targetPort')));
    const app = isMap(port) ? port.appProtocol : undefined;
    if (typeof app === 'string') for (const m of isQualifiedName(app)) out.push(fieldError.invalid(child(p, 'appProtocol'), app, m));
    const nodePort = getNumber(port, 'nodePort') ?? 0;
    if (nodePort !== 0 && getString(s, 'type') === 'ClusterIP') {
      out.push(fieldError.forbidden(child(p, 'nodePort'), "may not be used when `type` is 'ClusterIP'"));
    }
    if (nodePort !== 0) {
      const nk = `${proto}/${nodePort}`;
      if (nodePorts.has(nk)) out.push(fieldError.duplicate(child(p, 'nodePort'), nodePort));
      nodePorts.add(nk);
    }
    const k = `${proto}/${n}`;
    if (keys.has(k)) out.push(duplicateRendered(p, renderServicePort(port)));
    keys.add(k);
  });
  return out;
}

function validateServiceTypeFields(s: JsonMap, type: string, headless: boolean): FieldCause[] {
  const out: FieldCause[] = [];
  const ips = clusterIPsOf(s);
  if ((type === 'LoadBalancer' || type === 'NodePort') && headless) {
    out.push(fieldError.invalid('spec.clusterIPs[0]', ips[0], `may not be set to 'None' for ${type} services`));
  }
  if (type === 'ExternalName') {
    if (ips.length > 0) out.push(fieldError.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if ((getArray(s, 'ipFamilies') ?? []).length > 0) out.push(fieldError.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (isSet(s, 'ipFamilyPolicy')) out.push(fieldError.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = getString(s, 'externalName').replace(/\.$/, '');
    if (cname) for (const m of isDNS1123Subdomain(cname)) out.push(fieldError.invalid('spec.externalName', cname, m));
    else out.push(fieldError.required('spec.externalName'));
  }
  return out;
}

function validateServiceAffinityAndPolicies(s: JsonMap, type: string): FieldCause[] {
  const out: FieldCause[] = [];
  const affinity = getString(s, 'sessionAffinity');
  if (!affinity) out.push(fieldError.required('spec.sessionAffinity'));
  else if (affinity !== 'ClientIP' && affinity !== 'None') out.push(fieldError.notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  if (affinity === 'None' && isSet(s, 'sessionAffinityConfig')) {
    out.push(fieldError.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  if (!type) out.push(fieldError.required('spec.type'));
  else if (!SERVICE_TYPES.includes(type)) out.push(fieldError.notSupported('spec.type', type, SERVICE_TYPES));
  if (isSet(s, 'allocateLoadBalancerNodePorts') && type !== 'LoadBalancer') {
    out.push(fieldError.forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  }
  if (type === 'LoadBalancer' && !isSet(s, 'allocateLoadBalancerNodePorts')) out.push(fieldError.required('allocateLoadBalancerNodePorts'));
  const externallyAccessible = type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && (getArray(s, 'externalIPs') ?? []).length > 0);
  const etp = getString(s, 'externalTrafficPolicy');
  if (!externallyAccessible) {
    if (etp) out.push(fieldError.invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  } else if (!etp) {
    out.push(fieldError.required('spec.externalTrafficPolicy'));
  } else if (etp !== 'Cluster' && etp !== 'Local') {
    out.push(fieldError.notSupported('spec.externalTrafficPolicy', etp, ['Cluster', 'Local']));
  }
  const itp = s.internalTrafficPolicy;
  if ((itp === undefined || itp === null) && (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP')) {
    out.push(fieldError.required('spec.internalTrafficPolicy'));
  }
  if (typeof itp === 'string' && itp !== 'Cluster' && itp !== 'Local') out.push(fieldError.notSupported('spec.internalTrafficPolicy', itp, ['Cluster', 'Local']));
  return out;
}

function validateService(o: KubeObject, old?: KubeObject): FieldCause[] {
  const s = specOf(o);
  const type = getString(s, 'type');
  const headless = isHeadless(s);
  const out: FieldCause[] = [];
  if (old) out.push(...validateClusterIPsUpdate(s, specOf(old)));
  if ((getArray(s, 'ports') ?? []).length === 0 && !headless && type !== 'ExternalName') out.push(fieldError.required('spec.ports'));
  out.push(...validateServiceTypeFields(s, type, headless));
  out.push(...validateServicePorts(s));
  if (isMap(s.selector)) out.push(...validateLabels(s.selector, 'spec.selector'));
  out.push(...validateServiceAffinityAndPolicies(s, type));
  return out;
}

/** Cluster IPs may not change once allocated (except to or from ExternalName, or when left unset for the registry to carry over). */
function validateClusterIPsUpdate(s: JsonMap, os: JsonMap): FieldCause[] {
  if (getString(s, 'type') === 'ExternalName' || getString(os, 'type') === 'ExternalName') return [];
  if (isHeadless(s) && isHeadless(os)) return [];
  const cur = clusterIPsOf(s);
  const prev = clusterIPsOf(os);
  if (cur.length === 0) return [];
  const rendered = goStringSlice(cur);
  const out: FieldCause[] = [];
  if (cur.length === prev.length) {
    prev.forEach((ip, i) => {
      if (ip !== cur[i]) out.push(invalidRendered(`spec.clusterIPs[${i}]`, rendered, 'may not change once set'));
    });
  } else if (prev.length > 0 && cur[0] !== prev[0]) {
    out.push(invalidRendered('spec.clusterIPs[0]', rendered, 'may not change once set'));
  }
  return out;
}

// ---- events ----

function validateEvent(o: KubeObject, old: KubeObject | undefined, version: 'v1' | 'events.k8s.io/v1'): FieldCause[] {
  const out: FieldCause[] = [];
  const strict = version !== 'v1';
  if (strict && !old) out.push(...validateObjectMeta(o.metadata, { namespaced: true, kind: 'Event' }));
  if (old) out.push(...validateObjectMetaUpdate(o.metadata, old.metadata));
  const ns = typeof o.metadata.namespace === 'string' ? o.metadata.namespace : '';
  // events.k8s.io names its fields differently; Kubernetes reports the internal (core) names.
  const involved = getMap(o, strict ? 'regarding' : 'involvedObject');
  const involvedNs = getString(involved, 'namespace');
  const eventTime = o.eventTime;
  if (!eventTime) {
    if (strict && !old) out.push(fieldError.required('eventTime'));
    if (involvedNs === '' ? ns !== '' && ns !== 'default' : ns !== involvedNs) {
      out.push(fieldError.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    }
  } else {
    if (involvedNs === '' && ns !== 'default' && ns !== 'kube-system') {
      out.push(fieldError.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    }
    const rcField = strict ? 'reportingController' : 'reportingComponent';
    const rc = getString(o, rcField);
    if (!rc) out.push(fieldError.required(rcField));
    for (const m of isQualifiedName(rc)) out.push(fieldError.invalid(rcField, rc, m));
    for (const [f, limit] of [['reportingInstance', 128], ['action', 128], ['reason', 128]] as const) {
      const v = getString(o, f);
      if (!v) out.push(fieldError.required(f));
      if (v.length > limit) out.push(fieldError.invalid(f, '', `can have at most ${limit} characters`));
    }
    if (getString(o, strict ? 'note' : 'message').length > 1024) out.push(fieldError.invalid('message', '', 'can have at most 1024 characters'));
  }
  if (strict && !old) {
    const type = getString(o, 'type');
    if (type !== 'Normal' && type !== 'Warning') out.push(fieldError.invalid('type', '', `has invalid value: ${type}`));
  }
  for (const m of isDNS1123Subdomain(ns)) out.push(fieldError.invalid('namespace', ns, m));
  return out;
}

// ---- networking ----

function validateIngressBackend(b: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const hasResource = isSet(b, 'resource');
  const svc = getMap(b, 'service');
  if (hasResource && svc) return [fieldError.invalid(path, '', 'cannot set both resource and service backends')];
  if (hasResource) {
    const r = getMap(b, 'resource');
    if (!getString(r, 'kind')) out.push(fieldError.required(child(path, 'resource', 'kind')));
    if (!getString(r, 'name')) out.push(fieldError.required(child(path, 'resource', 'name')));
    return out;
  }
  if (!svc) return [fieldError.invalid(path, '', 'resource or service backend is required')];
  const name = getString(svc, 'name');
  if (!name) out.push(fieldError.required(child(path, 'service', 'name')));
  else for (const m of nameIsDNS1035Label(name, false)) out.push(fieldError.invalid(child(path, 'service', 'name'), name, m));
  const port = getMap(svc, 'port');
  const portName = getString(port, 'name');
  const portNumber = getNumber(port, 'number') ?? 0;
  if (portName && portNumber !== 0) out.push(fieldError.invalid(path, '', 'cannot set both port name & port number'));
  else if (portName) for (const m of isValidPortName(portName)) out.push(fieldError.invalid(child(path, 'service', 'port', 'name'), portName, m));
  else if (portNumber !== 0) for (const m of isValidPortNum(portNumber)) out.push(fieldError.invalid(child(path, 'service', 'port', 'number'), portNumber, m));
  else out.push(fieldError.required(path, 'port name or number is required'));
  return out;
}

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];

function validateIngressPath(ip: unknown, path: string): FieldCause[] {
  const pathType = isMap(ip) ? ip.pathType : undefined;
  if (typeof pathType !== 'string') return [fieldError.required(child(path, 'pathType'), 'pathType must be specified')];
  const out: FieldCause[] = [];
  const p = getString(ip, 'path');
  if (pathType === 'Exact' || pathType === 'Prefix') {
    if (!p.startsWith('/')) out.push(fieldError.invalid(child(path, 'path'), p, 'must be an absolute path'));
    for (const seq of ['//', '/./', '/../', '%2f', '%2F']) if (p.includes(seq)) out.push(fieldError.invalid(child(path, 'path'), p, `must not contain '${seq}'`));
    for (const suf of ['/..', '/.']) if (p.endsWith(suf)) out.push(fieldError.invalid(child(path, 'path'), p, `cannot end with '${suf}'`));
  } else if (pathType === 'ImplementationSpecific') {
    if (p && !p.startsWith('/')) out.push(fieldError.invalid(child(path, 'path'), p, 'must be an absolute path'));
  } else {
    out.push(fieldError.notSupported(child(path, 'pathType'), pathType, PATH_TYPES));
  }
  out.push(...validateIngressBackend(isMap(ip) ? ip.backend : undefined, child(path, 'backend')));
  return out;
}

function validateIngressHost(host: string, path: string): FieldCause[] {
  if (/^[0-9.]+$/.test(host) || host.includes(':')) return [fieldError.invalid(path, host, 'must be a DNS name, not an IP address')];
  const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
  return msgs.map((m) => fieldError.invalid(path, host, m));
}

function validateIngress(o: KubeObject): FieldCause[] {
  const s = specOf(o);
  const out: FieldCause[] = [];
  const rules = getArray(s, 'rules') ?? [];
  if (rules.length === 0 && !isSet(s, 'defaultBackend')) {
    out.push(invalidRendered('spec', Array.isArray(s.rules) ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)', 'either `defaultBackend` or `rules` must be specified'));
  }
  if (isSet(s, 'defaultBackend')) out.push(...validateIngressBackend(s.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((r, i) => {
    const p = index('spec.rules', i);
    const host = getString(r, 'host');
    if (host) out.push(...validateIngressHost(host, child(p, 'host')));
    const http = getMap(r, 'http');
    if (!http) return;
    const paths = getArray(http, 'paths') ?? [];
    if (paths.length === 0) out.push(fieldError.required(child(p, 'http', 'paths')));
    paths.forEach((ip, j) => out.push(...validateIngressPath(ip, index(child(p, 'http', 'paths'), j))));
  });
  (getArray(s, 'tls') ?? []).forEach((t, i) => {
    (getArray(t, 'hosts') ?? []).forEach((h, j) => {
      const host = String(h);
      const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      for (const m of msgs) out.push(fieldError.invalid(index(child(index('spec.tls', i), 'hosts'), j), host, m));
    });
  });
  const cls = s.ingressClassName;
  if (typeof cls === 'string') for (const m of nameIsDNSSubdomain(cls, false)) out.push(fieldError.invalid('spec.ingressClassName', cls, m));
  return out;
}

function validateIngressClass(o: KubeObject, old?: KubeObject): FieldCause[] {
  const s = specOf(o);
  const controller = getString(s, 'controller');
  const out: FieldCause[] = [];
  if (controller.length > 250) out.push(fieldError.tooLong('spec.controller', controller, 250));
  if (!controller) out.push(fieldError.required('spec.controller'));
  else {
    const slash = controller.indexOf('/');
    if (slash <= 0 || slash === controller.length - 1) {
      out.push(fieldError.invalid('spec.controller', controller, 'must be a domain-prefixed path (such as "acme.io/foo")'));
    } else {
      for (const m of isDNS1123Subdomain(controller.slice(0, slash))) out.push(fieldError.invalid('spec.controller', controller.slice(0, slash), m));
    }
  }
  if (old) {
    const prev = getString(specOf(old), 'controller');
    if (controller !== prev) out.push(fieldError.invalid('spec.controller', controller, IMMUTABLE));
  }
  return out;
}

function validateNetworkPolicyPeers(peers: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  (Array.isArray(peers) ? peers : []).forEach((peer, i) => {
    const p = index(path, i);
    const n = ['podSelector', 'namespaceSelector', 'ipBlock'].filter((f) => isSet(peer, f));
    if (n.length === 0) out.push(fieldError.required(p, 'must specify a peer'));
    else if (n.includes('ipBlock') && n.length > 1) out.push(fieldError.forbidden(p, 'may not specify both ipBlock and another peer'));
    for (const f of ['podSelector', 'namespaceSelector']) {
      if (isSet(peer, f)) out.push(...validateLabelSelector(isMap(peer) ? peer[f] : undefined, child(p, f)));
    }
    const block = getMap(peer, 'ipBlock');
    if (block && !getString(block, 'cidr')) out.push(fieldError.required(child(p, 'ipBlock', 'cidr')));
  });
  return out;
}

function validateNetworkPolicyPorts(ports: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  (Array.isArray(ports) ? ports : []).forEach((port, i) => {
    const p = index(path, i);
    const proto = getString(port, 'protocol');
    if (isSet(port, 'protocol') && !PROTOCOLS.includes(proto)) out.push(fieldError.notSupported(child(p, 'protocol'), proto, PROTOCOLS));
    const value = isMap(port) ? port.port : undefined;
    if (typeof value === 'number') for (const m of isValidPortNum(value)) out.push(fieldError.invalid(child(p, 'port'), value, m));
    if (typeof value === 'string') for (const m of isValidPortName(value)) out.push(fieldError.invalid(child(p, 'port'), value, m));
    const end = getNumber(port, 'endPort');
    if (end !== undefined) {
      if (typeof value === 'string') out.push(fieldError.forbidden(child(p, 'endPort'), 'may not be specified when `port` is non-numeric'));
      else if (typeof value !== 'number') out.push(fieldError.forbidden(child(p, 'endPort'), 'may not be specified when `port` is not specified'));
      else if (end < value) out.push(fieldError.invalid(child(p, 'endPort'), end, 'must be greater than or equal to `port`'));
    }
  });
  return out;
}

function validateNetworkPolicy(o: KubeObject): FieldCause[] {
  const s = specOf(o);
  const out = validateLabelSelector(s.podSelector, 'spec.podSelector');
  (getArray(s, 'ingress') ?? []).forEach((r, i) => {
    const p = index('spec.ingress', i);
    out.push(...validateNetworkPolicyPorts(getArray(r, 'ports'), child(p, 'ports')), ...validateNetworkPolicyPeers(getArray(r, 'from'), child(p, 'from')));
  });
  (getArray(s, 'egress') ?? []).forEach((r, i) => {
    const p = index('spec.egress', i);
    out.push(...validateNetworkPolicyPorts(getArray(r, 'ports'), child(p, 'ports')), ...validateNetworkPolicyPeers(getArray(r, 'to'), child(p, 'to')));
  });
  const types = (getArray(s, 'policyTypes') ?? []).map(String);
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') out.push(fieldError.notSupported(index('spec.policyTypes', i), t, ['Ingress', 'Egress']));
  });
  if (types.length > 2) out.push(invalidRendered('spec.policyTypes', goStringSlice(types).replace('[]string', '[]networking.PolicyType'), 'may not specify more than two policyTypes'));
  return out;
}

// ---- discovery, coordination ----

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

function validateEndpointSlice(o: KubeObject, old?: KubeObject): FieldCause[] {
  const out: FieldCause[] = [];
  const at = getString(o, 'addressType');
  if (old) {
    const prev = getString(old, 'addressType');
    if (at !== prev) out.push(fieldError.invalid('addressType', at, IMMUTABLE));
  } else if (!at) out.push(fieldError.required('addressType'));
  else if (!ADDRESS_TYPES.includes(at)) out.push(fieldError.notSupported('addressType', at, ADDRESS_TYPES));
  (getArray(o, 'endpoints') ?? []).forEach((ep, i) => {
    const addrs = getArray(ep, 'addresses') ?? [];
    if (addrs.length === 0) out.push(fieldError.required(child(index('endpoints', i), 'addresses'), 'must contain at least 1 address'));
    else if (addrs.length > 100) out.push({ reason: 'FieldValueTooMany', message: `Too many: ${addrs.length}: must have at most 100 items`, field: child(index('endpoints', i), 'addresses') });
  });
  (getArray(o, 'ports') ?? []).forEach((port, i) => {
    const p = index('ports', i);
    const name = getString(port, 'name');
    if (name) for (const m of isDNS1123Label(name)) out.push(fieldError.invalid(child(p, 'name'), name, m));
    const proto = getString(port, 'protocol');
    if (isSet(port, 'protocol') && !PROTOCOLS.includes(proto)) out.push(fieldError.notSupported(child(p, 'protocol'), proto, PROTOCOLS));
    const n = getNumber(port, 'port');
    if (n !== undefined) for (const m of isValidPortNum(n)) out.push(fieldError.invalid(child(p, 'port'), n, m));
  });
  return out;
}

function validateLease(o: KubeObject): FieldCause[] {
  const s = specOf(o);
  const out: FieldCause[] = [];
  const dur = s.leaseDurationSeconds;
  if (typeof dur === 'number' && dur <= 0) out.push(fieldError.invalid('spec.leaseDurationSeconds', dur, 'must be greater than 0'));
  out.push(...nonNegative(s.leaseTransitions, 'spec.leaseTransitions'));
  return out;
}

// ---- RBAC ----

function validatePolicyRule(rule: unknown, namespaced: boolean, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  if ((getArray(rule, 'verbs') ?? []).length === 0) out.push(fieldError.required(child(path, 'verbs'), 'verbs must contain at least one value'));
  const urls = getArray(rule, 'nonResourceURLs') ?? [];
  if (urls.length > 0) {
    if (namespaced) out.push(invalidRendered(child(path, 'nonResourceURLs'), goStringSlice(urls), 'namespaced rules cannot apply to non-resource URLs'));
    const resourceish = ['apiGroups', 'resources', 'resourceNames'].some((f) => (getArray(rule, f) ?? []).length > 0);
    if (resourceish) out.push(invalidRendered(child(path, 'nonResourceURLs'), goStringSlice(urls), 'rules cannot apply to both regular resources and non-resource URLs'));
    return out;
  }
  if ((getArray(rule, 'apiGroups') ?? []).length === 0) out.push(fieldError.required(child(path, 'apiGroups'), 'resource rules must supply at least one api group'));
  if ((getArray(rule, 'resources') ?? []).length === 0) out.push(fieldError.required(child(path, 'resources'), 'resource rules must supply at least one resource'));
  return out;
}

function validateRules(o: KubeObject, namespaced: boolean): FieldCause[] {
  const out: FieldCause[] = [];
  (getArray(o, 'rules') ?? []).forEach((r, i) => out.push(...validatePolicyRule(r, namespaced, index('rules', i))));
  return out;
}

function validateClusterRole(o: KubeObject): FieldCause[] {
  const out = validateRules(o, false);
  const agg = getMap(o, 'aggregationRule');
  if (agg) {
    const sels = getArray(agg, 'clusterRoleSelectors') ?? [];
    if (sels.length === 0) {
      out.push(fieldError.required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    }
    sels.forEach((sel, i) => out.push(...validateLabelSelector(sel, index('aggregationRule.clusterRoleSelectors', i))));
  }
  return out;
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function validateSubject(subj: unknown, namespaced: boolean, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const name = getString(subj, 'name');
  const apiGroup = getString(subj, 'apiGroup');
  if (!name) out.push(fieldError.required(child(path, 'name')));
  switch (getString(subj, 'kind')) {
    case 'ServiceAccount':
      if (name) for (const m of nameIsDNSSubdomain(name, false)) out.push(fieldError.invalid(child(path, 'name'), name, m));
      if (apiGroup) out.push(fieldError.notSupported(child(path, 'apiGroup'), apiGroup, ['']));
      if (!namespaced && !getString(subj, 'namespace')) out.push(fieldError.required(child(path, 'namespace')));
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== RBAC_GROUP) out.push(fieldError.notSupported(child(path, 'apiGroup'), apiGroup, [RBAC_GROUP]));
      break;
    default:
      out.push(fieldError.notSupported(child(path, 'kind'), getString(subj, 'kind'), ['ServiceAccount', 'User', 'Group']));
  }
  return out;
}

function validateRoleBinding(o: KubeObject, old: KubeObject | undefined, namespaced: boolean): FieldCause[] {
  const out: FieldCause[] = [];
  const ref = getMap(o, 'roleRef');
  const apiGroup = getString(ref, 'apiGroup');
  const kind = getString(ref, 'kind');
  const name = getString(ref, 'name');
  if (apiGroup !== RBAC_GROUP) out.push(fieldError.notSupported('roleRef.apiGroup', apiGroup, [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(kind)) out.push(fieldError.notSupported('roleRef.kind', kind, kinds));
  if (!name) out.push(fieldError.required('roleRef.name'));
  else for (const m of isValidPathSegmentName(name)) out.push(fieldError.invalid('roleRef.name', name, m));
  (getArray(o, 'subjects') ?? []).forEach((s, i) => out.push(...validateSubject(s, namespaced, index('subjects', i))));
  if (old) {
    const oref = getMap(old, 'roleRef');
    if (getString(oref, 'apiGroup') !== apiGroup || getString(oref, 'kind') !== kind || getString(oref, 'name') !== name) {
      const rendered = `rbac.RoleRef{APIGroup:${goQuote(apiGroup)}, Kind:${goQuote(kind)}, Name:${goQuote(name)}}`;
      out.push(invalidRendered('roleRef', rendered, 'cannot change roleRef'));
    }
  }
  return out;
}

// ---- storage, scheduling ----

function validateStorageClass(o: KubeObject, old?: KubeObject): FieldCause[] {
  const out: FieldCause[] = [];
  const provisioner = getString(o, 'provisioner');
  if (!provisioner) out.push(fieldError.required('provisioner'));
  else for (const m of isQualifiedName(provisioner.toLowerCase())) out.push(fieldError.invalid('provisioner', provisioner.toLowerCase(), m));
  const rp = getString(o, 'reclaimPolicy');
  if (isSet(o, 'reclaimPolicy') && rp !== 'Delete' && rp !== 'Retain') out.push(fieldError.notSupported('reclaimPolicy', rp, ['Delete', 'Retain']));
  const vbm = getString(o, 'volumeBindingMode');
  if (isSet(o, 'volumeBindingMode') && vbm !== 'Immediate' && vbm !== 'WaitForFirstConsumer') {
    out.push(fieldError.notSupported('volumeBindingMode', vbm, ['Immediate', 'WaitForFirstConsumer']));
  }
  if (old) {
    if (!semanticEqual(o.parameters, old.parameters)) out.push(fieldError.forbidden('parameters', 'updates to parameters are forbidden.'));
    if (provisioner !== getString(old, 'provisioner')) out.push(fieldError.forbidden('provisioner', 'updates to provisioner are forbidden.'));
    if (rp !== getString(old, 'reclaimPolicy')) out.push(fieldError.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
    if (vbm !== getString(old, 'volumeBindingMode')) out.push(fieldError.invalid('volumeBindingMode', vbm, IMMUTABLE));
  }
  return out;
}

const SYSTEM_PRIORITY_CLASSES: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };

function validatePriorityClass(o: KubeObject, old?: KubeObject): FieldCause[] {
  const out: FieldCause[] = [];
  const name = typeof o.metadata.name === 'string' ? o.metadata.name : '';
  const value = getNumber(o, 'value') ?? 0;
  if (!old) {
    if (name.startsWith('system-')) {
      const known = SYSTEM_PRIORITY_CLASSES[name];
      if (known === undefined) {
        out.push(fieldError.forbidden('metadata.name', `priority class names with 'system-' prefix are reserved for system use only. error: ${name} is not a known system priority class`));
      } else if (known !== value) {
        out.push(fieldError.forbidden('metadata.name', `priority class names with 'system-' prefix are reserved for system use only. error: value of ${name} PriorityClass must be ${known}`));
      }
    } else if (value > 1000000000) {
      out.push(fieldError.forbidden('value', 'maximum allowed value of a user defined priority is 1000000000'));
    }
  }
  const pp = o.preemptionPolicy;
  if (typeof pp === 'string' && pp !== 'PreemptLowerPriority' && pp !== 'Never') {
    out.push(pp === '' ? fieldError.required('preemptionPolicy') : fieldError.notSupported('preemptionPolicy', pp, ['PreemptLowerPriority', 'Never']));
  }
  if (old) {
    if (value !== (getNumber(old, 'value') ?? 0)) out.push(fieldError.forbidden('value', 'may not be changed in an update.'));
    if (getString(o, 'preemptionPolicy') !== getString(old, 'preemptionPolicy')) out.push(fieldError.invalid('preemptionPolicy', getString(o, 'preemptionPolicy'), IMMUTABLE));
  }
  return out;
}

// ---- admission webhooks (stored, never called) ----

function validateWebhookConfiguration(o: KubeObject, mutating: boolean): FieldCause[] {
  const out: FieldCause[] = [];
  const seen = new Set<string>();
  (getArray(o, 'webhooks') ?? []).forEach((w, i) => {
    const p = index('webhooks', i);
    const name = getString(w, 'name');
    if (seen.has(name)) out.push(fieldError.duplicate(child(p, 'name'), name));
    seen.add(name);
    if (!name) out.push(fieldError.required(child(p, 'name')));
    else if (isDNS1123Subdomain(name).length > 0) out.push(fieldError.invalid(child(p, 'name'), name, isDNS1123Subdomain(name).join(',')));
    else if (name.split('.').length < 3) out.push(fieldError.invalid(child(p, 'name'), name, 'should be a domain with at least three segments separated by dots'));
    const cc = getMap(w, 'clientConfig');
    const hasURL = isSet(cc, 'url');
    const hasSvc = isSet(cc, 'service');
    if (hasURL === hasSvc) out.push(fieldError.required(child(p, 'clientConfig'), 'exactly one of url or service is required'));
    const se = getString(w, 'sideEffects');
    if (!isSet(w, 'sideEffects')) out.push(fieldError.required(child(p, 'sideEffects'), 'must specify one of None, NoneOnDryRun'));
    else if (se !== 'None' && se !== 'NoneOnDryRun') out.push(fieldError.notSupported(child(p, 'sideEffects'), se, ['None', 'NoneOnDryRun']));
    if ((getArray(w, 'admissionReviewVersions') ?? []).length === 0) {
      out.push(fieldError.required(child(p, 'admissionReviewVersions'), 'must specify one of v1, v1beta1'));
    }
    const fp = getString(w, 'failurePolicy');
    if (fp && fp !== 'Ignore' && fp !== 'Fail') out.push(fieldError.notSupported(child(p, 'failurePolicy'), fp, ['Fail', 'Ignore']));
    const ts = getNumber(w, 'timeoutSeconds');
    if (ts !== undefined && (ts < 1 || ts > 30)) out.push(fieldError.invalid(child(p, 'timeoutSeconds'), ts, 'the timeout value must be between 1 and 30 seconds'));
    const rp = getString(w, 'reinvocationPolicy');
    if (mutating && rp && rp !== 'Never' && rp !== 'IfNeeded') out.push(fieldError.notSupported(child(p, 'reinvocationPolicy'), rp, ['Never', 'IfNeeded']));
    for (const f of ['namespaceSelector', 'objectSelector']) out.push(...validateLabelSelector(isMap(w) ? w[f] : undefined, child(p, f)));
  });
  return out;
}

// ---- apiextensions, apiregistration (metadata validated here: their name rules depend on the spec) ----

function validateCRD(o: KubeObject, old?: KubeObject): FieldCause[] {
  const s = specOf(o);
  const group = getString(s, 'group');
  const plural = getString(getMap(s, 'names'), 'plural');
  const expected = `${plural}.${group}`;
  const nameFn = (name: string, prefix: boolean): string[] => {
    const errs = nameIsDNSSubdomain(name, prefix);
    if (errs.length > 0) return errs;
    return name === expected ? [] : ['must be spec.names.plural+"."+spec.group'];
  };
  const out = old
    ? validateObjectMetaUpdate(o.metadata, old.metadata)
    : validateObjectMeta(o.metadata, { namespaced: false, kind: 'CustomResourceDefinition', nameFn });
  if (!group) out.push(fieldError.required('spec.group'));
  else if (group.split('.').length < 2) out.push(fieldError.invalid('spec.group', group, 'should be a domain with at least one dot'));
  const scope = getString(s, 'scope');
  if (!scope) out.push(fieldError.required('spec.scope'));
  else if (scope !== 'Cluster' && scope !== 'Namespaced') out.push(fieldError.notSupported('spec.scope', scope, ['Cluster', 'Namespaced']));
  const versions = getArray(s, 'versions') ?? [];
  if (versions.length === 0) out.push(fieldError.invalid('spec.versions', '', 'must have exactly one version marked as storage version'));
  else if (versions.filter((v) => isMap(v) && v.storage === true).length !== 1) {
    out.push(invalidRendered('spec.versions', `[]apiextensions.CustomResourceDefinitionVersion{...}`, 'must have exactly one version marked as storage version'));
  }
  if (old && group !== getString(specOf(old), 'group')) out.push(fieldError.invalid('spec.group', group, IMMUTABLE));
  return out;
}

function validateAPIService(o: KubeObject, old?: KubeObject): FieldCause[] {
  const s = specOf(o);
  const expected = `${getString(s, 'version')}.${getString(s, 'group')}`;
  const nameFn = (name: string): string[] => {
    const errs = isValidPathSegmentName(name);
    if (errs.length > 0) return errs;
    return name === expected ? [] : [`must be \`spec.version+"."+spec.group\`: ${goQuote(expected)}`];
  };
  const out = old
    ? validateObjectMetaUpdate(o.metadata, old.metadata)
    : validateObjectMeta(o.metadata, { namespaced: false, kind: 'APIService', nameFn });
  const gpm = getNumber(s, 'groupPriorityMinimum') ?? 0;
  if (gpm <= 0 || gpm > 20000) out.push(fieldError.invalid('spec.groupPriorityMinimum', gpm, 'must be positive and less than 20000'));
  const vp = getNumber(s, 'versionPriority') ?? 0;
  if (vp <= 0 || vp > 1000) out.push(fieldError.invalid('spec.versionPriority', vp, 'must be positive and less than 1000'));
  if (!getString(s, 'version')) out.push(fieldError.required('spec.version'));
  return out;
}

// ---- reviews ----

function validateAccessReview(o: KubeObject, needsSubject: boolean): FieldCause[] {
  const s = specOf(o);
  const out: FieldCause[] = [];
  const ra = isSet(s, 'resourceAttributes');
  const nra = isSet(s, 'nonResourceAttributes');
  if (ra === nra) {
    const rendered = `authorization.SubjectAccessReviewSpec{...}`;
    out.push(invalidRendered('spec.nonResourceAttributes', rendered, ra ? 'cannot be specified in combination with resourceAttributes' : 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  }
  if (needsSubject && !getString(s, 'user') && (getArray(s, 'groups') ?? []).length === 0) {
    out.push(invalidRendered('spec.user', '""', 'at least one of user or group must be specified'));
  }
  return out;
}
