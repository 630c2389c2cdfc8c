/**
 * Merge metadata of the built-in Kubernetes kinds, transcribed from the Go struct tags of
 * k8s.io/api (`patchStrategy`/`patchMergeKey` for strategic merge patch, `+listType`/`+listMapKey`
 * and `+mapType`/`+structType` for server-side apply). Only lists that are not atomic, and maps that
 * are atomic, need an entry: everything else is the default.
 */
import type { ListMeta, PatchMeta } from '../objects.js';
import { mapList, objectMetaNode, patchMetaFromTree, setList, type MetaNode } from './meta-tree.js';

/** Conditions keyed by `type`, as nearly every status carries them. */
const conditions = (): MetaNode => mapList(['type']);

/** `metav1.LabelSelector` is `+structType=atomic`. */
const labelSelector: MetaNode = { atomicMap: true };

/** A list SSA keys as a map but SMP replaces whole (no patchStrategy tag). */
const ssaOnlyMap = (keys: string[]): MetaNode => ({ list: { listType: 'map', keys, patchStrategy: 'replace' } });

/** A list SMP merges by key but SSA treats atomically (e.g. Job conditions, pod hostIPs). */
const smpOnlyMerge = (key: string): MetaNode => {
  const list: ListMeta = { listType: 'atomic', keys: [key], patchStrategy: 'merge' };
  return { list };
};

const container: Record<string, MetaNode> = {
  // SMP merges ports by containerPort alone; SSA keys them by containerPort and protocol.
  ports: mapList(['containerPort', 'protocol']),
  env: mapList(['name']),
  volumeMounts: mapList(['mountPath']),
  volumeDevices: mapList(['devicePath']),
  resources: { fields: { claims: ssaOnlyMap(['name']) } },
};

const podSpec: MetaNode = {
  fields: {
    volumes: mapList(['name'], undefined, true),
    containers: mapList(['name'], container),
    initContainers: mapList(['name'], container),
    ephemeralContainers: mapList(['name'], container),
    imagePullSecrets: mapList(['name']),
    hostAliases: mapList(['ip']),
    topologySpreadConstraints: mapList(['topologyKey', 'whenUnsatisfiable'], { labelSelector }),
    resourceClaims: mapList(['name'], undefined, true),
    schedulingGates: mapList(['name']),
    nodeSelector: { atomicMap: true },
  },
};

const podStatus: MetaNode = {
  fields: {
    conditions: conditions(),
    podIPs: mapList(['ip']),
    hostIPs: smpOnlyMerge('ip'),
    resourceClaimStatuses: mapList(['name']),
  },
};

const podTemplate: MetaNode = { fields: { metadata: objectMetaNode, spec: podSpec } };

/** `status` holding only conditions keyed by type. */
const statusWithConditions: MetaNode = { fields: { conditions: conditions() } };

const jobSpec: MetaNode = { fields: { selector: labelSelector, template: podTemplate } };

function objectRoot(fields: Record<string, MetaNode>): MetaNode {
  return { fields: { metadata: objectMetaNode, ...fields } };
}

const KINDS: Record<string, MetaNode> = {
  // core
  '/Pod': objectRoot({ spec: podSpec, status: podStatus }),
  '/PodTemplate': objectRoot({ template: podTemplate }),
  '/ReplicationController': objectRoot({
    spec: { fields: { selector: { atomicMap: true }, template: podTemplate } },
    status: statusWithConditions,
  }),
  '/Service': objectRoot({
    spec: { fields: { ports: mapList(['port', 'protocol']), selector: { atomicMap: true } } },
    status: statusWithConditions,
  }),
  '/Endpoints': objectRoot({}),
  '/ConfigMap': objectRoot({}),
  '/Secret': objectRoot({}),
  '/Namespace': objectRoot({ status: statusWithConditions }),
  '/Node': objectRoot({
    spec: { fields: { podCIDRs: setList() } },
    status: { fields: { conditions: conditions(), addresses: mapList(['type']) } },
  }),
  '/PersistentVolumeClaim': objectRoot({ spec: { fields: { selector: labelSelector } }, status: statusWithConditions }),
  '/ResourceQuota': objectRoot({}),
  '/LimitRange': objectRoot({}),
  '/ServiceAccount': objectRoot({ secrets: mapList(['name']) }),
  '/Event': objectRoot({}),
  // apps
  'apps/Deployment': objectRoot({
    spec: { fields: { selector: labelSelector, template: podTemplate, strategy: { retainKeys: true } } },
    status: statusWithConditions,
  }),
  'apps/ReplicaSet': objectRoot({ spec: { fields: { selector: labelSelector, template: podTemplate } }, status: statusWithConditions }),
  'apps/StatefulSet': objectRoot({
    spec: {
      fields: {
        selector: labelSelector,
        template: podTemplate,
        volumeClaimTemplates: { list: { listType: 'atomic', patchStrategy: 'replace' } },
      },
    },
    status: statusWithConditions,
  }),
  'apps/DaemonSet': objectRoot({
    spec: { fields: { selector: labelSelector, template: podTemplate, updateStrategy: { retainKeys: true } } },
    status: statusWithConditions,
  }),
  // batch
  'batch/Job': objectRoot({ spec: jobSpec, status: { fields: { conditions: smpOnlyMerge('type') } } }),
  'batch/CronJob': objectRoot({ spec: { fields: { jobTemplate: { fields: { metadata: objectMetaNode, spec: jobSpec } } } } }),
  // discovery, networking, rbac
  'discovery.k8s.io/EndpointSlice': objectRoot({}),
  'networking.k8s.io/Ingress': objectRoot({}),
  'networking.k8s.io/NetworkPolicy': objectRoot({ spec: { fields: { podSelector: labelSelector } } }),
  'rbac.authorization.k8s.io/Role': objectRoot({}),
  'rbac.authorization.k8s.io/ClusterRole': objectRoot({}),
  'rbac.authorization.k8s.io/RoleBinding': objectRoot({ roleRef: { atomicMap: true } }),
  'rbac.authorization.k8s.io/ClusterRoleBinding': objectRoot({ roleRef: { atomicMap: true } }),
  // autoscaling, policy, events, coordination, apiextensions
  'autoscaling/HorizontalPodAutoscaler': objectRoot({ status: statusWithConditions }),
  'policy/PodDisruptionBudget': objectRoot({ spec: { fields: { selector: labelSelector } }, status: statusWithConditions }),
  'events.k8s.io/Event': objectRoot({}),
  'coordination.k8s.io/Lease': objectRoot({}),
  'apiextensions.k8s.io/CustomResourceDefinition': objectRoot({ status: statusWithConditions }),
};

const METAS = new Map(Object.entries(KINDS).map(([id, node]) => [id, patchMetaFromTree(node)]));
const metadataOnly = patchMetaFromTree(objectRoot({}));

/**
 * The merge metadata of a built-in kind (`group` is '' for the core group). Unknown kinds get a
 * `PatchMeta` that only knows the `metadata` lists (ownerReferences by uid, finalizers as a set).
 */
export function builtinPatchMeta(group: string, kind: string): PatchMeta {
  return METAS.get(`${group}/${kind}`) ?? metadataOnly;
}
