/** Picks the printer for a resource type by API group and kind. */
import type { ResourceType } from '../../objects.js';
import {
  apiServicePrinter,
  clusterRoleBindingPrinter,
  configMapPrinter,
  eventCorePrinter,
  eventsV1Printer,
  leasePrinter,
  mutatingWebhookPrinter,
  namespacePrinter,
  nodePrinter,
  persistentVolumeClaimPrinter,
  persistentVolumePrinter,
  priorityClassPrinter,
  resourceQuotaPrinter,
  roleBindingPrinter,
  secretPrinter,
  serviceAccountPrinter,
  storageClassPrinter,
  validatingWebhookPrinter,
} from './cluster.js';
import { customResourcePrinter, defaultPrinter } from './custom.js';
import { endpointSlicePrinter, endpointsPrinter, ingressClassPrinter, ingressPrinter, networkPolicyPrinter, servicePrinter } from './network.js';
import { podPrinter, podTemplatePrinter } from './pods.js';
import type { Printer } from './types.js';
import {
  controllerRevisionPrinter,
  cronJobPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  hpaPrinter,
  jobPrinter,
  podDisruptionBudgetPrinter,
  replicaSetPrinter,
  replicationControllerPrinter,
  statefulSetPrinter,
} from './workloads.js';

/** Built-in printers keyed `group/Kind` (core group: `/Kind`). Anything else gets the default table. */
const builtins: ReadonlyMap<string, Printer> = new Map([
  ['/Pod', podPrinter],
  ['/PodTemplate', podTemplatePrinter],
  ['/ReplicationController', replicationControllerPrinter],
  ['/Service', servicePrinter],
  ['/Endpoints', endpointsPrinter],
  ['/Node', nodePrinter],
  ['/Event', eventCorePrinter],
  ['/Namespace', namespacePrinter],
  ['/Secret', secretPrinter],
  ['/ServiceAccount', serviceAccountPrinter],
  ['/ConfigMap', configMapPrinter],
  ['/PersistentVolume', persistentVolumePrinter],
  ['/PersistentVolumeClaim', persistentVolumeClaimPrinter],
  ['/ResourceQuota', resourceQuotaPrinter],
  ['apps/Deployment', deploymentPrinter],
  ['apps/ReplicaSet', replicaSetPrinter],
  ['apps/StatefulSet', statefulSetPrinter],
  ['apps/DaemonSet', daemonSetPrinter],
  ['apps/ControllerRevision', controllerRevisionPrinter],
  ['batch/Job', jobPrinter],
  ['batch/CronJob', cronJobPrinter],
  ['autoscaling/HorizontalPodAutoscaler', hpaPrinter],
  ['policy/PodDisruptionBudget', podDisruptionBudgetPrinter],
  ['networking.k8s.io/Ingress', ingressPrinter],
  ['networking.k8s.io/IngressClass', ingressClassPrinter],
  ['networking.k8s.io/NetworkPolicy', networkPolicyPrinter],
  ['discovery.k8s.io/EndpointSlice', endpointSlicePrinter],
  ['events.k8s.io/Event', eventsV1Printer],
  ['coordination.k8s.io/Lease', leasePrinter],
  ['rbac.authorization.k8s.io/RoleBinding', roleBindingPrinter],
  ['rbac.authorization.k8s.io/ClusterRoleBinding', clusterRoleBindingPrinter],
  ['admissionregistration.k8s.io/MutatingWebhookConfiguration', mutatingWebhookPrinter],
  ['admissionregistration.k8s.io/ValidatingWebhookConfiguration', validatingWebhookPrinter],
  ['scheduling.k8s.io/PriorityClass', priorityClassPrinter],
  ['storage.k8s.io/StorageClass', storageClassPrinter],
  ['apiregistration.k8s.io/APIService', apiServicePrinter],
]);

const customPrinters = new WeakMap<ResourceType, Printer>();

/**
 * The printer kube-apiserver would use for `type`: a dedicated one for known built-in kinds, the
 * CRD column printer for custom resources, the default NAME/CREATED AT table otherwise.
 */
export function printerFor(type: ResourceType): Printer {
  if (type.custom) {
    let p = customPrinters.get(type);
    if (!p) {
      p = customResourcePrinter(type.printerColumns);
      customPrinters.set(type, p);
    }
    return p;
  }
  return builtins.get(`${type.group}/${type.kind}`) ?? defaultPrinter;
}
