/**
 * Every built-in resource the embedded API server serves, at every served version, described the way
 * kube-apiserver's discovery documents describe them (verbs sorted, short names, categories,
 * subresources).
 */
import type { ResourceType, ScaleSubresource } from '../objects.js';
import { groupResource } from '../objects.js';

/** Verbs of an ordinary persisted resource, as discovery lists them. */
export const FULL_VERBS: readonly string[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
/** Namespaces are the one persisted resource without deletecollection. */
const NAMESPACE_VERBS: readonly string[] = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
/** Virtual resources that only accept POST: bindings and the review APIs. */
const CREATE_ONLY: readonly string[] = ['create'];

/**
 * Built-in scale subresources read `.spec.replicas` and `.status.replicas`. The Scale's
 * `status.selector` is computed from the object's own `spec.selector` (a LabelSelector, or a plain map
 * for ReplicationControllers) rather than read from a string field, so no labelSelectorPath is given.
 */
const SCALE: ScaleSubresource = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' };

interface Entry {
  group: string;
  versions: string[];
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: readonly string[];
  status?: boolean;
  scale?: boolean;
  extra?: string[];
  storageVersion?: string;
}

const ENTRIES: Entry[] = [
  // core/v1
  { group: '', versions: ['v1'], kind: 'Binding', plural: 'bindings', namespaced: true, verbs: CREATE_ONLY },
  { group: '', versions: ['v1'], kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'] },
  { group: '', versions: ['v1'], kind: 'Endpoints', plural: 'endpoints', namespaced: true, shortNames: ['ep'] },
  { group: '', versions: ['v1'], kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'] },
  { group: '', versions: ['v1'], kind: 'LimitRange', plural: 'limitranges', namespaced: true, shortNames: ['limits'] },
  { group: '', versions: ['v1'], kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'], verbs: NAMESPACE_VERBS, status: true },
  { group: '', versions: ['v1'], kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'], status: true, extra: ['proxy'] },
  { group: '', versions: ['v1'], kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true, shortNames: ['pvc'], status: true },
  { group: '', versions: ['v1'], kind: 'PersistentVolume', plural: 'persistentvolumes', namespaced: false, shortNames: ['pv'], status: true },
  {
    group: '',
    versions: ['v1'],
    kind: 'Pod',
    plural: 'pods',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    status: true,
    extra: ['attach', 'binding', 'eviction', 'exec', 'log', 'portforward', 'proxy'],
  },
  { group: '', versions: ['v1'], kind: 'PodTemplate', plural: 'podtemplates', namespaced: true },
  { group: '', versions: ['v1'], kind: 'ReplicationController', plural: 'replicationcontrollers', namespaced: true, shortNames: ['rc'], categories: ['all'], status: true, scale: true },
  { group: '', versions: ['v1'], kind: 'ResourceQuota', plural: 'resourcequotas', namespaced: true, shortNames: ['quota'], status: true },
  { group: '', versions: ['v1'], kind: 'Secret', plural: 'secrets', namespaced: true },
  { group: '', versions: ['v1'], kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, shortNames: ['sa'], extra: ['token'] },
  { group: '', versions: ['v1'], kind: 'Service', plural: 'services', namespaced: true, shortNames: ['svc'], categories: ['all'], status: true, extra: ['proxy'] },
  // apps/v1
  { group: 'apps', versions: ['v1'], kind: 'ControllerRevision', plural: 'controllerrevisions', namespaced: true },
  { group: 'apps', versions: ['v1'], kind: 'DaemonSet', plural: 'daemonsets', namespaced: true, shortNames: ['ds'], categories: ['all'], status: true },
  { group: 'apps', versions: ['v1'], kind: 'Deployment', plural: 'deployments', namespaced: true, shortNames: ['deploy'], categories: ['all'], status: true, scale: true },
  { group: 'apps', versions: ['v1'], kind: 'ReplicaSet', plural: 'replicasets', namespaced: true, shortNames: ['rs'], categories: ['all'], status: true, scale: true },
  { group: 'apps', versions: ['v1'], kind: 'StatefulSet', plural: 'statefulsets', namespaced: true, shortNames: ['sts'], categories: ['all'], status: true, scale: true },
  // batch/v1
  { group: 'batch', versions: ['v1'], kind: 'CronJob', plural: 'cronjobs', namespaced: true, shortNames: ['cj'], categories: ['all'], status: true },
  { group: 'batch', versions: ['v1'], kind: 'Job', plural: 'jobs', namespaced: true, categories: ['all'], status: true },
  // autoscaling: v2 is the storage (and preferred) version
  {
    group: 'autoscaling',
    versions: ['v2', 'v1'],
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
    namespaced: true,
    shortNames: ['hpa'],
    categories: ['all'],
    status: true,
    storageVersion: 'v2',
  },
  // networking.k8s.io/v1
  { group: 'networking.k8s.io', versions: ['v1'], kind: 'IngressClass', plural: 'ingressclasses', namespaced: false },
  { group: 'networking.k8s.io', versions: ['v1'], kind: 'Ingress', plural: 'ingresses', namespaced: true, shortNames: ['ing'], status: true },
  { group: 'networking.k8s.io', versions: ['v1'], kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true, shortNames: ['netpol'] },
  // discovery, coordination, events
  { group: 'discovery.k8s.io', versions: ['v1'], kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true },
  { group: 'coordination.k8s.io', versions: ['v1'], kind: 'Lease', plural: 'leases', namespaced: true },
  { group: 'events.k8s.io', versions: ['v1'], kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'] },
  // rbac.authorization.k8s.io/v1
  { group: 'rbac.authorization.k8s.io', versions: ['v1'], kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
  { group: 'rbac.authorization.k8s.io', versions: ['v1'], kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
  { group: 'rbac.authorization.k8s.io', versions: ['v1'], kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
  { group: 'rbac.authorization.k8s.io', versions: ['v1'], kind: 'Role', plural: 'roles', namespaced: true },
  // policy/v1
  { group: 'policy', versions: ['v1'], kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true, shortNames: ['pdb'], status: true },
  // apiextensions, storage, scheduling
  {
    group: 'apiextensions.k8s.io',
    versions: ['v1'],
    kind: 'CustomResourceDefinition',
    plural: 'customresourcedefinitions',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    status: true,
  },
  { group: 'storage.k8s.io', versions: ['v1'], kind: 'StorageClass', plural: 'storageclasses', namespaced: false, shortNames: ['sc'] },
  { group: 'scheduling.k8s.io', versions: ['v1'], kind: 'PriorityClass', plural: 'priorityclasses', namespaced: false, shortNames: ['pc'] },
  // authorization.k8s.io/v1 and authentication.k8s.io/v1: create-only virtual resources
  { group: 'authorization.k8s.io', versions: ['v1'], kind: 'LocalSubjectAccessReview', plural: 'localsubjectaccessreviews', namespaced: true, verbs: CREATE_ONLY },
  { group: 'authorization.k8s.io', versions: ['v1'], kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', namespaced: false, verbs: CREATE_ONLY },
  { group: 'authorization.k8s.io', versions: ['v1'], kind: 'SelfSubjectRulesReview', plural: 'selfsubjectrulesreviews', namespaced: false, verbs: CREATE_ONLY },
  { group: 'authorization.k8s.io', versions: ['v1'], kind: 'SubjectAccessReview', plural: 'subjectaccessreviews', namespaced: false, verbs: CREATE_ONLY },
  { group: 'authentication.k8s.io', versions: ['v1'], kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', namespaced: false, verbs: CREATE_ONLY },
  { group: 'authentication.k8s.io', versions: ['v1'], kind: 'TokenReview', plural: 'tokenreviews', namespaced: false, verbs: CREATE_ONLY },
  // admissionregistration.k8s.io/v1 (stored; the server does not call webhooks)
  {
    group: 'admissionregistration.k8s.io',
    versions: ['v1'],
    kind: 'MutatingWebhookConfiguration',
    plural: 'mutatingwebhookconfigurations',
    namespaced: false,
    categories: ['api-extensions'],
  },
  {
    group: 'admissionregistration.k8s.io',
    versions: ['v1'],
    kind: 'ValidatingWebhookConfiguration',
    plural: 'validatingwebhookconfigurations',
    namespaced: false,
    categories: ['api-extensions'],
  },
  // apiregistration.k8s.io/v1
  { group: 'apiregistration.k8s.io', versions: ['v1'], kind: 'APIService', plural: 'apiservices', namespaced: false, categories: ['api-extensions'], status: true },
];

function toTypes(e: Entry): ResourceType[] {
  return e.versions.map((version) => {
    const subresources: ResourceType['subresources'] = {};
    if (e.status) subresources.status = true;
    if (e.scale) subresources.scale = { ...SCALE };
    if (e.extra) subresources.extra = [...e.extra];
    return {
      group: e.group,
      version,
      kind: e.kind,
      listKind: `${e.kind}List`,
      plural: e.plural,
      singular: e.kind.toLowerCase(),
      namespaced: e.namespaced,
      shortNames: [...(e.shortNames ?? [])],
      categories: [...(e.categories ?? [])],
      verbs: [...(e.verbs ?? FULL_VERBS)],
      subresources,
      storageVersion: e.storageVersion ?? e.versions[0],
      custom: false,
    };
  });
}

/** Every built-in served resource at every served version (preferred version first within a group/resource). */
export const BUILTIN_RESOURCE_TYPES: readonly ResourceType[] = Object.freeze(ENTRIES.flatMap(toTypes));

/**
 * Resources served under one group but stored under another's `group/resource` key. In
 * kube-apiserver `events.k8s.io/v1` Events are the very objects of core `v1` Events (one etcd
 * prefix, `/registry/events`): a write through either API is visible through both, and a watch on
 * either sees both. The ResourceType shape has no field for this; see `builtinStorageGroupResource`.
 */
export const BUILTIN_STORAGE_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  'events.k8s.io/events': 'events',
});

/** The `group/resource` key objects of this type are stored under (usually `groupResource(t)`). */
export function builtinStorageGroupResource(t: { group: string; plural: string }): string {
  const gr = groupResource(t);
  return BUILTIN_STORAGE_ALIASES[gr] ?? gr;
}

const byGVR = new Map<string, ResourceType>();
const byGK = new Map<string, ResourceType[]>();
for (const t of BUILTIN_RESOURCE_TYPES) {
  byGVR.set(`${t.group}/${t.version}/${t.plural}`, t);
  const k = `${t.group}/${t.kind}`;
  const list = byGK.get(k) ?? [];
  list.push(t);
  byGK.set(k, list);
}

/** The built-in resource at this group, version and plural, if one is served. */
export function findBuiltin(group: string, version: string, plural: string): ResourceType | undefined {
  return byGVR.get(`${group}/${version}/${plural}`);
}

/** The built-in resource of this kind in this group: the given version, or the preferred one. */
export function builtinByKind(group: string, kind: string, version?: string): ResourceType | undefined {
  const list = byGK.get(`${group}/${kind}`);
  if (!list) return undefined;
  return version === undefined ? list[0] : list.find((t) => t.version === version);
}
