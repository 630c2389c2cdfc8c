/**
 * What several workload controllers ask of pods and owners, written once: readiness and
 * availability as kube-controller-manager judges them, controller references, and the
 * pod-template-hash Kubernetes uses to name ReplicaSets and revisions.
 */
import type { KubeObject, OwnerReference } from '../objects.js';

interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
}

export function podPhase(pod: KubeObject): string | undefined {
  return (pod.status as { phase?: string } | undefined)?.phase;
}

/** Pending or Running and not being deleted (controller.IsPodActive). */
export function isPodActive(pod: KubeObject): boolean {
  const phase = podPhase(pod);
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

export function podReadyCondition(pod: KubeObject): PodCondition | undefined {
  return ((pod.status as { conditions?: PodCondition[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Ready');
}

export function isPodReady(pod: KubeObject): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/** Ready for at least minReadySeconds (podutil.IsPodAvailable). */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, nowMs = Date.now()): boolean {
  const ready = podReadyCondition(pod);
  if (ready?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= nowMs;
}

/**
 * Milliseconds until the first pod that is ready but not yet available turns available
 * (minReadySeconds after it turned ready); undefined when no pod is waiting for that.
 */
export function msUntilNextAvailable(pods: Iterable<KubeObject>, minReadySeconds: number, nowMs = Date.now()): number | undefined {
  if (minReadySeconds <= 0) return undefined;
  let soonest = Infinity;
  for (const pod of pods) {
    if (!isPodReady(pod)) continue;
    const due = Date.parse(podReadyCondition(pod)?.lastTransitionTime ?? '') + minReadySeconds * 1000 - nowMs;
    if (due > 0 && due < soonest) soonest = due;
  }
  return soonest === Infinity ? undefined : soonest;
}

/** The store key of an object: `namespace/name`, or the name of a cluster-scoped one. */
export function namespacedKey(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name!;
}

export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true);
}

export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  return controllerRefOf(obj)?.uid === owner.metadata.uid;
}

export function newControllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion!,
    kind: owner.kind!,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * A stable hash of a pod template, rendered like Kubernetes' (FNV-32a, safe-encoded), so names
 * look familiar. Equal templates give equal hashes; the collision count perturbs it as in
 * Kubernetes' ComputeHash.
 */
export function computeHash(template: unknown, collisionCount?: number): string {
  let h = 0x811c9dc5;
  const feed = (s: string): void => {
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  };
  feed(canonical(template));
  if (collisionCount !== undefined && collisionCount > 0) feed(String(collisionCount));
  return safeEncode(h.toString(10));
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
