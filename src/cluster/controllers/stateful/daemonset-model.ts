/**
 * The pure rules of kube-controller-manager's DaemonSet controller for a one-node cluster: whether
 * the node should run the daemon (selector, required node affinity, taints against tolerations),
 * the pod it runs (bound to the node, with the tolerations every daemon pod gets), which pods on
 * the node are up to date, and the status `kubectl rollout status ds` reads.
 */
import { clone, isMap, type JsonMap } from '../../builtin/util.js';
import type { KubeObject } from '../../objects.js';
import { fits } from '../scheduler.js';
import { isPodAvailable, isPodReady, newControllerRef, podPhase } from '../workload-kit.js';

export const HASH_LABEL = 'controller-revision-hash';
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** What kube-apiserver's DaemonSet strategy would keep (not set by this API server; honoured if present). */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

export interface DaemonSetSpec {
  selector?: unknown;
  template?: JsonMap;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
}

export interface DaemonSetStatus {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  conditions?: unknown[];
}

export interface DaemonSet extends KubeObject {
  spec?: DaemonSetSpec;
  status?: DaemonSetStatus;
}

export function dsSpec(ds: DaemonSet): DaemonSetSpec {
  return isMap(ds.spec) ? ds.spec : {};
}

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

interface Taint {
  key: string;
  value?: string;
  effect: string;
}

/** The tolerations the DaemonSet controller adds to every daemon pod (AddOrUpdateDaemonPodTolerations). */
export function daemonTolerations(podSpec: JsonMap): Toleration[] {
  const out: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (podSpec.hostNetwork === true) out.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  return out;
}

function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if ((t.operator ?? 'Equal') === 'Exists') return !t.key || t.key === taint.key;
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}

/**
 * NodeShouldRunDaemonPod for the one node: its labels satisfy the template's nodeSelector and
 * required node affinity, and every NoSchedule/NoExecute taint is tolerated. No Node object
 * (a cluster without a registered node yet) means the node runs everything.
 */
export function nodeShouldRun(ds: DaemonSet, node: KubeObject | undefined, nodeName: string): boolean {
  const spec = (isMap(dsSpec(ds).template?.spec) ? dsSpec(ds).template!.spec : {}) as JsonMap;
  if (typeof spec.nodeName === 'string' && spec.nodeName !== '' && spec.nodeName !== nodeName) return false;
  if (!node) return true;
  if (!fits(spec as Parameters<typeof fits>[0], node.metadata.labels ?? {})) return false;
  const tolerations = [...((Array.isArray(spec.tolerations) ? spec.tolerations : []) as Toleration[]), ...daemonTolerations(spec)];
  const taints = ((node.spec as { taints?: Taint[] } | undefined)?.taints ?? []).filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  return taints.every((taint) => tolerations.some((t) => tolerates(t, taint)));
}

/** The daemon pod for the node: the template, labelled with revision hash and template generation, bound and tolerant. */
export function newDaemonPod(ds: DaemonSet, template: JsonMap, hash: string, generation: string, nodeName: string): KubeObject {
  const t = clone(template);
  const tmeta = isMap(t.metadata) ? t.metadata : {};
  const spec: JsonMap = isMap(t.spec) ? t.spec : {};
  const labels: Record<string, string> = { ...(isMap(tmeta.labels) ? (tmeta.labels as Record<string, string>) : {}), [HASH_LABEL]: hash, [TEMPLATE_GENERATION_LABEL]: generation };
  const own = (Array.isArray(spec.tolerations) ? spec.tolerations : []) as Toleration[];
  const added = daemonTolerations(spec).filter((d) => !own.some((o) => o.key === d.key && o.effect === d.effect));
  spec.tolerations = [...own, ...added];
  spec.nodeName = nodeName;
  const metadata: KubeObject['metadata'] = {
    generateName: `${(ds.metadata.name ?? '').slice(0, 57)}-`,
    namespace: ds.metadata.namespace,
    labels,
    ownerReferences: [newControllerRef(ds)],
  };
  if (isMap(tmeta.annotations) && Object.keys(tmeta.annotations).length > 0) metadata.annotations = { ...(tmeta.annotations as Record<string, string>) };
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

export function isPodUpdated(pod: KubeObject, hash: string): boolean {
  return pod.metadata.labels?.[HASH_LABEL] === hash;
}

/** findUpdatedPodsOnNode: at most one up-to-date and one old pod among those not being deleted; `ok` false when there are more. */
export function updatedPodsOnNode(pods: KubeObject[], hash: string): { newPod?: KubeObject; oldPod?: KubeObject; ok: boolean } {
  let newPod: KubeObject | undefined;
  let oldPod: KubeObject | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { newPod, oldPod, ok: true };
}

/** Oldest first, Running before others at equal age (podByCreationTimestampAndPhase). */
export function byAge(a: KubeObject, b: KubeObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ra = podPhase(a) === 'Running' ? 0 : 1;
  const rb = podPhase(b) === 'Running' ? 0 : 1;
  if (ra !== rb) return ra - rb;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** An int-or-percent scaled against `total`, rounded up (GetScaledValueFromIntOrPercent with roundUp). */
export function scaledValue(v: number | string | undefined, total: number): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  return m ? Math.ceil((Number(m[1]) * total) / 100) : Number(v) || 0;
}

/** maxSurge and maxUnavailable for `desired` nodes; at least one of them is non-zero. */
export function rollingBudget(ds: DaemonSet, desired: number): { maxSurge: number; maxUnavailable: number } {
  const ru = dsSpec(ds).updateStrategy?.rollingUpdate;
  const maxSurge = scaledValue(ru?.maxSurge, desired);
  let maxUnavailable = scaledValue(ru?.maxUnavailable ?? 1, desired);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable: maxSurge > 0 ? 0 : maxUnavailable };
}

/** updateDaemonSetStatus for the one node. `podsOnNode` excludes terminal pods that are being deleted. */
export function daemonStatus(ds: DaemonSet, shouldRun: boolean, podsOnNode: KubeObject[], hash: string, nowMs = Date.now()): DaemonSetStatus {
  const minReady = dsSpec(ds).minReadySeconds ?? 0;
  const status: DaemonSetStatus = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
  let available = 0;
  let updated = 0;
  const scheduled = podsOnNode.length > 0;
  if (shouldRun) {
    status.desiredNumberScheduled = 1;
    if (scheduled) {
      status.currentNumberScheduled = 1;
      const pod = [...podsOnNode].sort(byAge)[0];
      if (isPodReady(pod)) {
        status.numberReady = 1;
        if (isPodAvailable(pod, minReady, nowMs)) available = 1;
      }
      if (isPodUpdated(pod, hash)) updated = 1;
    }
  } else if (scheduled) {
    status.numberMisscheduled = 1;
  }
  status.updatedNumberScheduled = updated;
  status.numberAvailable = available;
  status.numberUnavailable = status.desiredNumberScheduled - available;
  return status;
}
