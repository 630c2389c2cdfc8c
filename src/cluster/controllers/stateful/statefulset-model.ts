/**
 * The pure rules of kube-controller-manager's StatefulSet controller (stateful_set_utils.go and
 * stateful_set_control.go): pod identity (`<set>-<ordinal>`, hostname, subdomain, labels), the
 * claims from volumeClaimTemplates, which pod slot is filled, condemned or blocked, and what the
 * next step of an ordered (or parallel) scale or rolling update is.
 */
import { clone, isMap, type JsonMap } from '../../builtin/util.js';
import type { KubeObject, OwnerReference } from '../../objects.js';
import { isPodAvailable, isPodReady, newControllerRef, podPhase } from '../workload-kit.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const REVISION_LABEL = 'controller-revision-hash';

export interface StatefulSetSpec {
  replicas?: number;
  serviceName?: string;
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  ordinals?: { start?: number };
  selector?: { matchLabels?: Record<string, string> };
  template?: JsonMap;
  volumeClaimTemplates?: KubeObject[];
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } };
  persistentVolumeClaimRetentionPolicy?: { whenDeleted?: 'Retain' | 'Delete'; whenScaled?: 'Retain' | 'Delete' };
}

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  availableReplicas: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  conditions?: unknown[];
}

export interface StatefulSet extends KubeObject {
  spec?: StatefulSetSpec;
  status?: StatefulSetStatus;
}

export function setSpec(set: StatefulSet): StatefulSetSpec {
  return isMap(set.spec) ? set.spec : {};
}

export function startOrdinal(set: StatefulSet): number {
  return setSpec(set).ordinals?.start ?? 0;
}

export function replicaCount(set: StatefulSet): number {
  return Math.max(0, setSpec(set).replicas ?? 1);
}

export function podNameFor(set: StatefulSet, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

/** The ordinal in a pod's name when it is `<set>-<n>`; undefined otherwise. */
export function ordinalOf(set: StatefulSet, pod: KubeObject): number | undefined {
  const prefix = `${set.metadata.name}-`;
  const name = pod.metadata.name ?? '';
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : undefined;
}

export function claimName(template: KubeObject, set: StatefulSet, ordinal: number): string {
  return `${template.metadata.name}-${set.metadata.name}-${ordinal}`;
}

export function revisionOf(pod: KubeObject): string | undefined {
  return pod.metadata.labels?.[REVISION_LABEL];
}

// ---- pod states, as the StatefulSet controller names them ----

export function isFailed(pod: KubeObject): boolean {
  return podPhase(pod) === 'Failed';
}

export function isSucceeded(pod: KubeObject): boolean {
  return podPhase(pod) === 'Succeeded';
}

export function isTerminating(pod: KubeObject): boolean {
  return !!pod.metadata.deletionTimestamp;
}

export function isRunningAndReady(pod: KubeObject): boolean {
  return podPhase(pod) === 'Running' && isPodReady(pod);
}

export function isRunningAndAvailable(pod: KubeObject, minReadySeconds: number, nowMs = Date.now()): boolean {
  return podPhase(pod) === 'Running' && isPodAvailable(pod, minReadySeconds, nowMs);
}

export function isHealthy(pod: KubeObject): boolean {
  return isRunningAndReady(pod) && !isTerminating(pod);
}

/**
 * The pod for `ordinal` from `template` (newStatefulSetPod + updateIdentity + updateStorage): named
 * `<set>-<ordinal>`, hostname its name and subdomain the governing Service, labelled with its name,
 * index and revision, and mounting its own claims in place of same-named template volumes.
 */
export function newStatefulSetPod(set: StatefulSet, template: JsonMap, ordinal: number, revisionName: string): KubeObject {
  const t = clone(template);
  const tmeta = isMap(t.metadata) ? t.metadata : {};
  const name = podNameFor(set, ordinal);
  const labels: Record<string, string> = { ...(isMap(tmeta.labels) ? (tmeta.labels as Record<string, string>) : {}) };
  labels[POD_NAME_LABEL] = name;
  labels[POD_INDEX_LABEL] = String(ordinal);
  labels[REVISION_LABEL] = revisionName;
  const spec: JsonMap = isMap(t.spec) ? t.spec : {};
  spec.hostname = name;
  const serviceName = setSpec(set).serviceName;
  if (serviceName) spec.subdomain = serviceName;
  else delete spec.subdomain;
  const claims = setSpec(set).volumeClaimTemplates ?? [];
  if (claims.length > 0) {
    const claimVolumes = claims.map((c) => ({ name: c.metadata.name, persistentVolumeClaim: { claimName: claimName(c, set, ordinal) } }));
    const taken = new Set(claimVolumes.map((v) => v.name));
    const others = (Array.isArray(spec.volumes) ? (spec.volumes as { name?: string }[]) : []).filter((v) => !taken.has(v.name ?? ''));
    spec.volumes = [...claimVolumes, ...others];
  }
  const metadata: KubeObject['metadata'] = {
    name,
    namespace: set.metadata.namespace,
    labels,
    ownerReferences: [newControllerRef(set)],
  };
  if (isMap(tmeta.annotations) && Object.keys(tmeta.annotations).length > 0) metadata.annotations = { ...(tmeta.annotations as Record<string, string>) };
  if (Array.isArray(tmeta.finalizers) && tmeta.finalizers.length > 0) metadata.finalizers = [...(tmeta.finalizers as string[])];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

/** The claim for one template and ordinal: the template, named for the pod, labelled with the set's selector. */
export function newClaim(set: StatefulSet, template: KubeObject, ordinal: number): KubeObject {
  const labels: Record<string, string> = { ...(template.metadata.labels ?? {}), ...(setSpec(set).selector?.matchLabels ?? {}) };
  const metadata: KubeObject['metadata'] = { name: claimName(template, set, ordinal), namespace: set.metadata.namespace, labels };
  if (template.metadata.annotations) metadata.annotations = { ...template.metadata.annotations };
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata, spec: clone(template.spec ?? {}) };
}

/**
 * persistentVolumeClaimRetentionPolicy as owner references: the set owns its claims when they go
 * with it (whenDeleted: Delete); a condemned pod owns its claims when they go with a scale-down
 * (whenScaled: Delete). Returns the claim's desired owner references.
 */
export function desiredClaimOwners(claim: KubeObject, set: StatefulSet, pod: KubeObject | undefined, condemned: boolean): OwnerReference[] {
  const policy = setSpec(set).persistentVolumeClaimRetentionPolicy ?? {};
  const managed = new Set([set.metadata.uid, pod?.metadata.uid].filter((u): u is string => !!u));
  const refs = (claim.metadata.ownerReferences ?? []).filter((r) => !managed.has(r.uid));
  if (policy.whenDeleted === 'Delete') refs.push({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata.name!, uid: set.metadata.uid! });
  if (condemned && pod && policy.whenScaled === 'Delete') refs.push({ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name!, uid: pod.metadata.uid! });
  return refs;
}

/** The pods of a set by role: one slot per wanted ordinal (undefined when missing), and condemned ones highest ordinal first. */
export interface PodSlots {
  /** slot i holds ordinal start+i. */
  replicas: (KubeObject | undefined)[];
  condemned: KubeObject[];
}

export function slotPods(set: StatefulSet, pods: Iterable<KubeObject>): PodSlots {
  const start = startOrdinal(set);
  const count = replicaCount(set);
  const replicas: (KubeObject | undefined)[] = new Array<KubeObject | undefined>(count).fill(undefined);
  const condemned: KubeObject[] = [];
  for (const pod of pods) {
    const ord = ordinalOf(set, pod);
    if (ord === undefined) continue;
    if (ord >= start && ord < start + count) replicas[ord - start] = pod;
    else condemned.push(pod);
  }
  condemned.sort((a, b) => (ordinalOf(set, b) ?? 0) - (ordinalOf(set, a) ?? 0));
  return { replicas, condemned };
}

/** The first pod, in processing order (replicas ascending, then condemned descending), that is not healthy. */
export function firstUnhealthy(slots: PodSlots): KubeObject | undefined {
  for (const pod of slots.replicas) if (pod && !isHealthy(pod)) return pod;
  for (const pod of slots.condemned) if (!isHealthy(pod)) return pod;
  return undefined;
}

/** One thing to do to a replica slot. */
export type ReplicaStep = { kind: 'create'; ordinal: number } | { kind: 'delete'; pod: KubeObject; reason: 'failed' | 'succeeded' } | { kind: 'wait' } | { kind: 'none' };

/** processReplica: what slot `i` needs, and whether an OrderedReady set must stop here. */
export function replicaStep(set: StatefulSet, slots: PodSlots, i: number, nowMs = Date.now()): { step: ReplicaStep; block: boolean } {
  const monotonic = setSpec(set).podManagementPolicy !== 'Parallel';
  const pod = slots.replicas[i];
  if (!pod) return { step: { kind: 'create', ordinal: startOrdinal(set) + i }, block: monotonic };
  if (isFailed(pod) || isSucceeded(pod)) {
    return { step: pod.metadata.deletionTimestamp ? { kind: 'wait' } : { kind: 'delete', pod, reason: isFailed(pod) ? 'failed' : 'succeeded' }, block: true };
  }
  const minReady = setSpec(set).minReadySeconds ?? 0;
  if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, nowMs))) return { step: { kind: 'wait' }, block: true };
  return { step: { kind: 'none' }, block: false };
}

/** processCondemned: whether a condemned pod may be deleted now, and whether to stop after it. */
export function condemnedStep(set: StatefulSet, pod: KubeObject, firstUnhealthyPod: KubeObject | undefined, nowMs = Date.now()): { remove: boolean; block: boolean } {
  const monotonic = setSpec(set).podManagementPolicy !== 'Parallel';
  if (isTerminating(pod)) return { remove: false, block: monotonic };
  const minReady = setSpec(set).minReadySeconds ?? 0;
  const healthyEnough = isRunningAndReady(pod) && isRunningAndAvailable(pod, minReady, nowMs);
  if (monotonic && !healthyEnough && pod !== firstUnhealthyPod) return { remove: false, block: true };
  return { remove: true, block: monotonic };
}

/** The partition: slots below it keep the current revision during a RollingUpdate. */
export function partitionOf(set: StatefulSet): number {
  const us = setSpec(set).updateStrategy;
  if (us?.type === 'OnDelete') return 0;
  return Math.max(0, us?.rollingUpdate?.partition ?? 0);
}

/** maxUnavailable of a RollingUpdate (an int or a percentage of replicas, rounded down, at least 1), or undefined when unset. */
export function maxUnavailableOf(set: StatefulSet): number | undefined {
  const v = setSpec(set).updateStrategy?.rollingUpdate?.maxUnavailable;
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return Math.max(1, v);
  const m = /^(\d+)%$/.exec(v);
  if (!m) return 1;
  return Math.max(1, Math.floor((Number(m[1]) * replicaCount(set)) / 100));
}

/**
 * The pods a RollingUpdate deletes now so they come back at `updateRevision`: the highest-ordinal
 * outdated pod above the partition once everything above it is healthy (or up to maxUnavailable of
 * them when that is set).
 */
export function rollingUpdateVictims(set: StatefulSet, replicas: (KubeObject | undefined)[], updateRevision: string, nowMs = Date.now()): KubeObject[] {
  const partition = partitionOf(set);
  const maxUnavailable = maxUnavailableOf(set);
  const minReady = setSpec(set).minReadySeconds ?? 0;
  const healthy = (p: KubeObject | undefined): boolean => !!p && isHealthy(p) && isRunningAndAvailable(p, minReady, nowMs);
  if (maxUnavailable === undefined) {
    for (let i = replicas.length - 1; i >= partition; i--) {
      const pod = replicas[i];
      if (!pod) return [];
      if (revisionOf(pod) !== updateRevision && !isTerminating(pod)) return [pod];
      if (!healthy(pod)) return [];
    }
    return [];
  }
  const unavailable = replicas.filter((p) => !healthy(p)).length;
  const budget = maxUnavailable - unavailable;
  const victims: KubeObject[] = [];
  for (let i = replicas.length - 1; i >= partition && victims.length < budget; i--) {
    const pod = replicas[i];
    if (pod && revisionOf(pod) !== updateRevision && !isTerminating(pod)) victims.push(pod);
  }
  return victims;
}

/** Which revision (and so which template) a new pod at slot `i` gets (newVersionedStatefulSetPod). */
export function revisionForSlot(set: StatefulSet, i: number, currentReplicas: number): 'current' | 'update' {
  const us = setSpec(set).updateStrategy;
  if (us?.type !== 'RollingUpdate' && us?.type !== undefined) return 'update';
  if (us?.rollingUpdate === undefined) return i < currentReplicas ? 'current' : 'update';
  return i < partitionOf(set) ? 'current' : 'update';
}

/** computeReplicaStatus over every pod the set owns (with an ordinal). */
export function replicaStatus(set: StatefulSet, pods: Iterable<KubeObject>, currentRevision: string, updateRevision: string, nowMs = Date.now()): Pick<StatefulSetStatus, 'replicas' | 'readyReplicas' | 'availableReplicas' | 'currentReplicas' | 'updatedReplicas'> {
  const minReady = setSpec(set).minReadySeconds ?? 0;
  let replicas = 0;
  let ready = 0;
  let available = 0;
  let current = 0;
  let updated = 0;
  for (const pod of pods) {
    if (ordinalOf(set, pod) === undefined) continue;
    replicas++;
    if (isRunningAndReady(pod)) {
      ready++;
      if (isRunningAndAvailable(pod, minReady, nowMs)) available++;
    }
    if (!isTerminating(pod)) {
      const rev = revisionOf(pod);
      if (rev === currentRevision) current++;
      if (rev === updateRevision) updated++;
    }
  }
  return { replicas, readyReplicas: ready, availableReplicas: available, currentReplicas: current, updatedReplicas: updated };
}
