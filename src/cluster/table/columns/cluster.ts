/**
 * Configuration, identity, cluster and storage kinds: config maps, secrets, service accounts,
 * namespaces, nodes, events, resource quotas, leases, RBAC bindings, persistent volumes and claims,
 * webhook configurations, priority and storage classes, API services.
 */
import type { KubeObject } from '../../objects.js';
import { timestampSince } from '../duration.js';
import {
  configMapDoc,
  eventDoc,
  leaseDoc,
  nodeDoc,
  objectReferenceDoc,
  pvcDoc,
  pvDoc,
  rbacDoc,
  secretDoc,
  serviceAccountDoc,
} from './docs.js';
import { ageColumn, column, int, list, nameColumn, obj, quantity, sortedUnique, str, type Obj, type Printer } from './types.js';

const name = (o: KubeObject): string => o.metadata?.name ?? '';
const age = (o: KubeObject, now: Date): string => timestampSince(o.metadata?.creationTimestamp, now);
const keyCount = (v: unknown): number => Object.keys(obj(v)).length;

export const configMapPrinter: Printer = {
  columns: [nameColumn(), column('Data', 'string', configMapDoc.data), ageColumn()],
  row: (o, ctx) => ({ cells: [name(o), keyCount(o.data) + keyCount(o.binaryData), age(o, ctx.now)] }),
};

export const secretPrinter: Printer = {
  columns: [nameColumn(), column('Type', 'string', secretDoc.type), column('Data', 'string', secretDoc.data), ageColumn()],
  row: (o, ctx) => {
    // stringData is merged into data on write; count the union in case a stored object still has it.
    const keys = new Set([...Object.keys(obj(o.data)), ...Object.keys(obj(o.stringData))]);
    return { cells: [name(o), str(o.type), keys.size, age(o, ctx.now)] };
  },
};

export const serviceAccountPrinter: Printer = {
  columns: [nameColumn(), column('Secrets', 'string', serviceAccountDoc.secrets), ageColumn()],
  row: (o, ctx) => ({ cells: [name(o), list(o.secrets).length, age(o, ctx.now)] }),
};

export const namespacePrinter: Printer = {
  columns: [nameColumn(), column('Status', 'string', 'The status of the namespace'), ageColumn()],
  row: (o, ctx) => ({ cells: [name(o), str(obj(o.status).phase), age(o, ctx.now)] }),
};

function nodeAddress(status: Obj, type: string): string {
  return str(list(status.addresses).find((a) => a.type === type)?.address) || '<none>';
}

export const nodePrinter: Printer = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    ageColumn(),
    column('Version', 'string', nodeDoc.kubeletVersion),
    column('Internal-IP', 'string', nodeDoc.addresses, 1),
    column('External-IP', 'string', nodeDoc.addresses, 1),
    column('OS-Image', 'string', nodeDoc.osImage, 1),
    column('Kernel-Version', 'string', nodeDoc.kernelVersion, 1),
    column('Container-Runtime', 'string', nodeDoc.containerRuntimeVersion, 1),
  ],
  row(o, ctx) {
    const status = obj(o.status);
    const info = obj(status.nodeInfo);
    const states: string[] = [];
    // The last condition of a type wins, as in the printer's condition map.
    const ready = list(status.conditions).filter((c) => c.type === 'Ready').pop();
    if (ready) states.push(ready.status === 'True' ? 'Ready' : 'NotReady');
    if (states.length === 0) states.push('Unknown');
    if (obj(o.spec).unschedulable === true) states.push('SchedulingDisabled');
    const roles: string[] = [];
    for (const [k, v] of Object.entries(o.metadata?.labels ?? {})) {
      if (k.startsWith('node-role.kubernetes.io/')) {
        const role = k.slice('node-role.kubernetes.io/'.length);
        if (role.length > 0) roles.push(role);
      } else if (k === 'kubernetes.io/role' && v !== '') {
        roles.push(v);
      }
    }
    return {
      cells: [
        name(o),
        states.join(','),
        sortedUnique(roles).join(',') || '<none>',
        age(o, ctx.now),
        str(info.kubeletVersion),
        nodeAddress(status, 'InternalIP'),
        nodeAddress(status, 'ExternalIP'),
        str(info.osImage) || '<unknown>',
        str(info.kernelVersion) || '<unknown>',
        str(info.containerRuntimeVersion) || '<unknown>',
      ],
    };
  },
};

/** An event in the internal (core/v1-shaped) form, whichever API group it was read through. */
interface CoreEvent {
  involvedObject: Obj;
  reason: string;
  message: string;
  type: string;
  source: Obj;
  firstTimestamp: unknown;
  lastTimestamp: unknown;
  eventTime: unknown;
  count: number;
  series: Obj | undefined;
  reportingController: string;
  reportingInstance: string;
}

function coreEvent(o: KubeObject, eventsV1: boolean): CoreEvent {
  const series = o.series === undefined || o.series === null ? undefined : obj(o.series);
  if (eventsV1) {
    return {
      involvedObject: obj(o.regarding),
      reason: str(o.reason),
      message: str(o.note),
      type: str(o.type),
      source: obj(o.deprecatedSource),
      firstTimestamp: o.deprecatedFirstTimestamp,
      lastTimestamp: o.deprecatedLastTimestamp,
      eventTime: o.eventTime,
      count: int(o.deprecatedCount),
      series,
      reportingController: str(o.reportingController),
      reportingInstance: str(o.reportingInstance),
    };
  }
  return {
    involvedObject: obj(o.involvedObject),
    reason: str(o.reason),
    message: str(o.message),
    type: str(o.type),
    source: obj(o.source),
    firstTimestamp: o.firstTimestamp,
    lastTimestamp: o.lastTimestamp,
    eventTime: o.eventTime,
    count: int(o.count),
    series,
    reportingController: str(o.reportingComponent),
    reportingInstance: str(o.reportingInstance),
  };
}

function eventPrinter(eventsV1: boolean): Printer {
  return {
    columns: [
      column('Last Seen', 'string', eventDoc.lastTimestamp),
      column('Type', 'string', eventDoc.type),
      column('Reason', 'string', eventDoc.reason),
      column('Object', 'string', eventDoc.involvedObject),
      column('Subobject', 'string', objectReferenceDoc.fieldPath, 1),
      column('Source', 'string', eventDoc.source, 1),
      column('Message', 'string', eventDoc.message),
      column('First Seen', 'string', eventDoc.firstTimestamp, 1),
      column('Count', 'string', eventDoc.count, 1),
      column('Name', 'string', nameColumn().description, 1, 'name'),
    ],
    row(o, ctx) {
      const e = coreEvent(o, eventsV1);
      const first = timestampSince(e.firstTimestamp, ctx.now) !== '<unknown>' ? timestampSince(e.firstTimestamp, ctx.now) : timestampSince(e.eventTime, ctx.now);
      let last = timestampSince(e.lastTimestamp, ctx.now);
      if (last === '<unknown>') last = first;
      let count = e.count;
      if (e.series) {
        last = timestampSince(e.series.lastObservedTime, ctx.now);
        count = int(e.series.count);
      } else if (count === 0) {
        count = 1; // singleton events have no count in the new API
      }
      const kind = str(e.involvedObject.kind).toLowerCase();
      const target = str(e.involvedObject.name) !== '' ? `${kind}/${str(e.involvedObject.name)}` : kind;
      const component = str(e.source.component) || e.reportingController;
      const host = str(e.source.host) || e.reportingInstance;
      return {
        cells: [
          last,
          e.type,
          e.reason,
          target,
          str(e.involvedObject.fieldPath),
          host ? `${component}, ${host}` : component,
          e.message.trim(),
          first,
          count,
          name(o),
        ],
      };
    },
  };
}

export const eventCorePrinter = eventPrinter(false);
export const eventsV1Printer = eventPrinter(true);

export const resourceQuotaPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    column('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
    ageColumn(),
  ],
  row(o, ctx) {
    const status = obj(o.status);
    const hard = obj(status.hard);
    const used = obj(status.used);
    const requests: string[] = [];
    const limits: string[] = [];
    for (const resource of Object.keys(hard).sort()) {
      const pieces = resource.split('.');
      const entry = `${resource}: ${quantity(used[resource])}/${quantity(hard[resource])}`;
      if (pieces.length > 1 && pieces[0] === 'limits') limits.push(entry);
      else requests.push(entry);
    }
    return { cells: [name(o), requests.join(', '), limits.join(', '), age(o, ctx.now)] };
  },
};

export const leasePrinter: Printer = {
  columns: [nameColumn(), column('Holder', 'string', leaseDoc.holderIdentity), ageColumn()],
  row: (o, ctx) => ({ cells: [name(o), str(obj(o.spec).holderIdentity), age(o, ctx.now)] }),
};

function bindingPrinter(roleRefDoc: string, what: string): Printer {
  return {
    columns: [
      nameColumn(),
      column('Role', 'string', roleRefDoc),
      ageColumn(),
      column('Users', 'string', `Users in the ${what}`, 1),
      column('Groups', 'string', `Groups in the ${what}`, 1),
      column('ServiceAccounts', 'string', `ServiceAccounts in the ${what}`, 1),
    ],
    row(o, ctx) {
      const ref = obj(o.roleRef);
      const users: string[] = [];
      const groups: string[] = [];
      const sas: string[] = [];
      for (const s of list(o.subjects)) {
        if (s.kind === 'ServiceAccount') sas.push(`${str(s.namespace)}/${str(s.name)}`);
        else if (s.kind === 'User') users.push(str(s.name));
        else if (s.kind === 'Group') groups.push(str(s.name));
      }
      return { cells: [name(o), `${str(ref.kind)}/${str(ref.name)}`, age(o, ctx.now), users.join(', '), groups.join(', '), sas.join(', ')] };
    },
  };
}

export const roleBindingPrinter = bindingPrinter(rbacDoc.roleBindingRoleRef, 'roleBinding');
export const clusterRoleBindingPrinter = bindingPrinter(rbacDoc.clusterRoleBindingRoleRef, 'clusterRoleBinding');

/** `GetAccessModesAsString`. */
function accessModes(v: unknown): string {
  const modes = new Set(Array.isArray(v) ? v.map(str) : []);
  const out: string[] = [];
  if (modes.has('ReadWriteOnce')) out.push('RWO');
  if (modes.has('ReadOnlyMany')) out.push('ROX');
  if (modes.has('ReadWriteMany')) out.push('RWX');
  if (modes.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/** The storage class of a PV or PVC: the beta annotation wins over `spec.storageClassName`. */
function storageClassOf(o: KubeObject): string {
  const annotations = o.metadata?.annotations ?? {};
  if (Object.prototype.hasOwnProperty.call(annotations, 'volume.beta.kubernetes.io/storage-class')) {
    return annotations['volume.beta.kubernetes.io/storage-class'];
  }
  return str(obj(o.spec).storageClassName);
}

export const persistentVolumeClaimPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Status', 'string', pvcDoc.statusPhase),
    column('Volume', 'string', pvcDoc.specVolumeName),
    column('Capacity', 'string', pvcDoc.statusCapacity),
    column('Access Modes', 'string', pvcDoc.statusAccessModes),
    column('StorageClass', 'string', 'StorageClass of the pvc'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    ageColumn(),
    column('VolumeMode', 'string', pvcDoc.specVolumeMode, 1),
  ],
  row(o, ctx) {
    const spec = obj(o.spec);
    const status = obj(o.status);
    const phase = o.metadata?.deletionTimestamp ? 'Terminating' : str(status.phase);
    const volumeName = str(spec.volumeName);
    const capacity = volumeName !== '' ? quantity(obj(status.capacity).storage) : '';
    const modes = volumeName !== '' ? accessModes(status.accessModes) : '';
    return {
      cells: [
        name(o),
        phase,
        volumeName,
        capacity,
        modes,
        storageClassOf(o),
        typeof spec.volumeAttributesClassName === 'string' ? spec.volumeAttributesClassName : '<unset>',
        age(o, ctx.now),
        typeof spec.volumeMode === 'string' ? spec.volumeMode : '<unset>',
      ],
    };
  },
};

export const persistentVolumePrinter: Printer = {
  columns: [
    nameColumn(),
    column('Capacity', 'string', pvDoc.capacity),
    column('Access Modes', 'string', pvDoc.accessModes),
    column('Reclaim Policy', 'string', pvDoc.persistentVolumeReclaimPolicy),
    column('Status', 'string', pvDoc.statusPhase),
    column('Claim', 'string', pvDoc.claimRef),
    column('StorageClass', 'string', 'StorageClass of the pv'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    column('Reason', 'string', pvDoc.statusReason),
    ageColumn(),
    column('VolumeMode', 'string', pvDoc.volumeMode, 1),
  ],
  row(o, ctx) {
    const spec = obj(o.spec);
    const status = obj(o.status);
    const claim = spec.claimRef === undefined || spec.claimRef === null ? '' : `${str(obj(spec.claimRef).namespace)}/${str(obj(spec.claimRef).name)}`;
    return {
      cells: [
        name(o),
        quantity(obj(spec.capacity).storage),
        accessModes(spec.accessModes),
        str(spec.persistentVolumeReclaimPolicy),
        o.metadata?.deletionTimestamp ? 'Terminating' : str(status.phase),
        claim,
        storageClassOf(o),
        typeof spec.volumeAttributesClassName === 'string' ? spec.volumeAttributesClassName : '<unset>',
        str(status.reason),
        age(o, ctx.now),
        typeof spec.volumeMode === 'string' ? spec.volumeMode : '<unset>',
      ],
    };
  },
};

function webhookConfigurationPrinter(): Printer {
  return {
    columns: [nameColumn(), column('Webhooks', 'integer', 'Webhooks indicates the number of webhooks registered in this configuration'), ageColumn()],
    row: (o, ctx) => ({ cells: [name(o), list(o.webhooks).length, age(o, ctx.now)] }),
  };
}

export const mutatingWebhookPrinter = webhookConfigurationPrinter();
export const validatingWebhookPrinter = webhookConfigurationPrinter();

export const priorityClassPrinter: Printer = {
  columns: [
    nameColumn(),
    column(
      'Value',
      'integer',
      'value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.',
    ),
    column(
      'Global-Default',
      'boolean',
      'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority.',
    ),
    ageColumn(),
    column('PreemptionPolicy', 'string', 'preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.'),
  ],
  row: (o, ctx) => ({ cells: [name(o), int(o.value), o.globalDefault === true, age(o, ctx.now), str(o.preemptionPolicy)] }),
};

export const storageClassPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
    column('ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.'),
    column(
      'VolumeBindingMode',
      'string',
      'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.',
    ),
    column('AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
    ageColumn(),
  ],
  row(o, ctx) {
    const annotations = o.metadata?.annotations ?? {};
    const isDefault =
      annotations['storageclass.kubernetes.io/is-default-class'] === 'true' || annotations['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
    return {
      cells: [
        isDefault ? `${name(o)} (default)` : name(o),
        str(o.provisioner),
        typeof o.reclaimPolicy === 'string' ? o.reclaimPolicy : 'Delete',
        typeof o.volumeBindingMode === 'string' ? o.volumeBindingMode : 'Immediate',
        o.allowVolumeExpansion === true,
        age(o, ctx.now),
      ],
    };
  },
};

/** kube-aggregator's APIService printer. */
export const apiServicePrinter: Printer = {
  columns: [
    nameColumn(),
    column('Service', 'string', 'The reference to the service that hosts this API endpoint.'),
    column('Available', 'string', 'Whether this service is available.'),
    ageColumn(),
  ],
  row(o, ctx) {
    const spec = obj(o.spec);
    const service = spec.service === undefined || spec.service === null ? 'Local' : `${str(obj(spec.service).namespace)}/${str(obj(spec.service).name)}`;
    const cond = list(obj(o.status).conditions).find((c) => c.type === 'Available');
    let available = 'Unknown';
    if (cond) available = cond.status !== 'True' && str(cond.reason) !== '' ? `${str(cond.status)} (${str(cond.reason)})` : str(cond.status);
    return { cells: [name(o), service, available, age(o, ctx.now)] };
  },
};

