/**
 * The arithmetic of a Deployment rollout, as kube-controller-manager's deployment util does it:
 * maxSurge / maxUnavailable resolution, how far the new ReplicaSet may grow, how far old ones may
 * shrink, and proportional scaling of every active ReplicaSet when the Deployment is resized
 * mid-rollout. Pure functions over ReplicaSet objects; they return plans (target sizes) that the
 * controller then writes.
 */
import type { KubeObject } from '../../objects.js';
import {
  availableReplicas,
  byCreation,
  DESIRED_REPLICAS_ANNOTATION,
  deploymentSpec,
  deploymentStatus,
  isRollingUpdate,
  MAX_REPLICAS_ANNOTATION,
  specReplicas,
  statusReplicas,
  type IntOrString,
} from './types.js';

/** A ReplicaSet and the size the plan wants for it. */
export interface ScaleTarget {
  rs: KubeObject;
  replicas: number;
}

/**
 * intstr.GetScaledValueFromIntOrPercent: an int as is, "N%" of `total` rounded up or down.
 * Throws, naming the field, for anything else (validation normally rejects it first).
 */
export function scaledValue(v: IntOrString | undefined, total: number, roundUp: boolean, field: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || !v.endsWith('%')) {
    throw new Error(`${field}: invalid value for IntOrString: invalid type: string is not a percentage`);
  }
  const digits = v.slice(0, -1);
  if (!/^[+-]?\d+$/.test(digits)) throw new Error(`${field}: invalid value ${JSON.stringify(v)}: not an integer percentage`);
  const scaled = (Number(digits) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/**
 * deploymentutil.ResolveFenceposts: maxSurge rounds up, maxUnavailable down; when both come out
 * zero (possible only through rounding, validation forbids two explicit zeros), maxUnavailable is
 * 1 so that the rollout can make progress at all.
 */
export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, desired: number): [surge: number, unavailable: number] {
  const surge = scaledValue(maxSurge, desired, true, 'spec.strategy.rollingUpdate.maxSurge');
  let unavailable = scaledValue(maxUnavailable, desired, false, 'spec.strategy.rollingUpdate.maxUnavailable');
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

/** How many pods above spec.replicas a rolling update may run (0 for Recreate). */
export function maxSurge(d: KubeObject): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = deploymentSpec(d).strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, specReplicas(d))[0];
}

/** How many of spec.replicas may be unavailable during a rolling update (never more than spec.replicas). */
export function maxUnavailable(d: KubeObject): number {
  const replicas = specReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = deploymentSpec(d).strategy?.rollingUpdate;
  return Math.min(resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas)[1], replicas);
}

export function filterActive(rss: (KubeObject | undefined)[]): KubeObject[] {
  return rss.filter((rs): rs is KubeObject => rs !== undefined && specReplicas(rs) > 0);
}

/** Sum of spec.replicas. */
export function replicaCount(rss: (KubeObject | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs ? specReplicas(rs) : 0), 0);
}

/** Sum of status.replicas (pods that exist). */
export function actualReplicaCount(rss: (KubeObject | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs ? statusReplicas(rs) : 0), 0);
}

/**
 * Pods that may exist for the surge check. Kubernetes sums spec.replicas; this also counts pods an
 * old ReplicaSet still has after being scaled down but before its controller removed them
 * (status.replicas above spec), so maxSurge holds for the pods that really exist, not only for
 * the intent.
 */
export function podCountForSurge(rss: (KubeObject | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs ? Math.max(specReplicas(rs), statusReplicas(rs)) : 0), 0);
}

/**
 * Available pods for the maxUnavailable check. Kubernetes sums status.availableReplicas; capping each
 * ReplicaSet at spec.replicas discounts pods already doomed by a scale-down whose status has not
 * caught up, so two quick scale-downs cannot both count the same available pod.
 */
export function availableCountForScaleDown(rss: (KubeObject | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs ? Math.min(availableReplicas(rs), specReplicas(rs)) : 0), 0);
}

export function availableReplicaCount(rss: (KubeObject | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs ? availableReplicas(rs) : 0), 0);
}

/** deploymentutil.NewRSNewReplicas: the size the new ReplicaSet may grow to now. */
export function newRSNewReplicas(d: KubeObject, allRSs: (KubeObject | undefined)[], newRS: KubeObject): number {
  const replicas = specReplicas(d);
  if (!isRollingUpdate(d)) return replicas;
  const surge = scaledValue(deploymentSpec(d).strategy?.rollingUpdate?.maxSurge, replicas, true, 'spec.strategy.rollingUpdate.maxSurge');
  const current = podCountForSurge(allRSs);
  const maxTotal = replicas + surge;
  const newReplicas = specReplicas(newRS);
  if (current >= maxTotal) return newReplicas;
  const scaleUp = Math.min(maxTotal - current, replicas - newReplicas);
  return newReplicas + scaleUp;
}

export function annotationInt(rs: KubeObject, annotation: string): number | undefined {
  const v = rs.metadata.annotations?.[annotation];
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

/** deploymentutil.IsSaturated: the new ReplicaSet runs the full, available count the Deployment wants. */
export function isSaturated(d: KubeObject, rs: KubeObject | undefined): boolean {
  if (!rs) return false;
  const replicas = specReplicas(d);
  return annotationInt(rs, DESIRED_REPLICAS_ANNOTATION) === replicas && specReplicas(rs) === replicas && availableReplicas(rs) === replicas;
}

/**
 * deploymentutil.FindActiveOrLatest: the one ReplicaSet with pods, or the newest when none has
 * any; undefined while several are active (a rollout is under way).
 */
export function findActiveOrLatest(newRS: KubeObject | undefined, oldRSs: KubeObject[]): KubeObject | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = filterActive([...newestFirst, newRS]);
  if (active.length === 1) return active[0];
  if (active.length === 0) return newRS ?? newestFirst[0];
  return undefined;
}

/** integer.RoundToInt32: Go's math.Round, halves away from zero. */
function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** deploymentutil.getReplicaSetFraction: this ReplicaSet's share of a resize, from its max-replicas annotation. */
function replicaSetFraction(rs: KubeObject, d: KubeObject): number {
  const replicas = specReplicas(d);
  if (replicas === 0) return -specReplicas(rs);
  const deploymentReplicas = replicas + maxSurge(d);
  let annotated = annotationInt(rs, MAX_REPLICAS_ANNOTATION);
  if (annotated === undefined || annotated <= 0) annotated = deploymentStatus(d).replicas ?? 0;
  // Never proportionally scale from zero: without a base there is no proportion.
  if (annotated <= 0) return 0;
  return roundHalfAway((specReplicas(rs) * deploymentReplicas) / annotated) - specReplicas(rs);
}

/** deploymentutil.GetProportion, bounded so that the sum never overshoots what is left to add or remove. */
export function proportion(rs: KubeObject, d: KubeObject, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/**
 * The `scale` step of DeploymentController.sync: when the Deployment was resized (or is paused), the
 * sizes every ReplicaSet should have. A target may repeat the current size; with
 * `alwaysSyncAnnotations` its desired/max replicas annotations are then still brought up to date
 * (as Kubernetes does in the proportional branch), otherwise nothing is written for it.
 */
export function planScale(d: KubeObject, newRS: KubeObject | undefined, oldRSs: KubeObject[]): { targets: ScaleTarget[]; alwaysSyncAnnotations: boolean } {
  const replicas = specReplicas(d);
  const only = findActiveOrLatest(newRS, oldRSs);
  // Kubernetes leaves a right-sized set alone; refreshing its replicas annotations too keeps a stale
  // desired-replicas from making every later sync look like a scaling event.
  if (only) return { targets: [{ rs: only, replicas }], alwaysSyncAnnotations: true };
  if (isSaturated(d, newRS)) {
    return { targets: filterActive(oldRSs).map((rs) => ({ rs, replicas: 0 })), alwaysSyncAnnotations: false };
  }
  if (!isRollingUpdate(d)) return { targets: [], alwaysSyncAnnotations: false };
  const all = filterActive([...oldRSs, newRS]);
  const allowedSize = replicas > 0 ? replicas + maxSurge(d) : 0;
  const toAdd = allowedSize - replicaCount(all);
  if (toAdd > 0) {
    // Scaling up: the biggest first, and among equals the newest.
    all.sort((a, b) => specReplicas(b) - specReplicas(a) || byCreation(b, a));
  } else if (toAdd < 0) {
    // Scaling down: the biggest first, and among equals the oldest.
    all.sort((a, b) => specReplicas(b) - specReplicas(a) || byCreation(a, b));
  }
  let added = 0;
  const sizes = all.map((rs) => {
    if (toAdd === 0) return specReplicas(rs);
    const p = proportion(rs, d, toAdd, added);
    added += p;
    return specReplicas(rs) + p;
  });
  // Whatever rounding left over goes to the largest ReplicaSet.
  if (toAdd !== 0 && sizes.length > 0) sizes[0] = Math.max(0, sizes[0] + toAdd - added);
  return { targets: all.map((rs, i) => ({ rs, replicas: sizes[i] })), alwaysSyncAnnotations: true };
}

/**
 * reconcileOldReplicaSets: how far old ReplicaSets may shrink now. Unhealthy replicas go first
 * (they do not count as available anyway, and would otherwise block the rollout until its
 * deadline), then available ones as far as maxUnavailable allows, oldest ReplicaSets first.
 */
export function planOldScaleDown(d: KubeObject, oldRSs: KubeObject[], newRS: KubeObject): ScaleTarget[] {
  const active = filterActive(oldRSs);
  if (replicaCount(active) === 0) return [];
  const sizes = new Map<KubeObject, number>(active.map((rs) => [rs, specReplicas(rs)]));
  const sizeOf = (rs: KubeObject): number => sizes.get(rs) ?? specReplicas(rs);
  const minAvailable = specReplicas(d) - maxUnavailable(d);
  const newUnavailable = specReplicas(newRS) - availableReplicas(newRS);
  const maxScaledDown = replicaCount([...active, newRS]) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];
  const oldest = [...active].sort(byCreation);

  let cleaned = 0;
  for (const rs of oldest) {
    if (cleaned >= maxScaledDown) break;
    const unhealthy = sizeOf(rs) - availableReplicas(rs);
    if (sizeOf(rs) === 0 || unhealthy <= 0) continue;
    const n = Math.min(maxScaledDown - cleaned, unhealthy);
    sizes.set(rs, sizeOf(rs) - n);
    cleaned += n;
  }

  const availableNow = oldest.reduce((n, rs) => n + Math.min(availableReplicas(rs), sizeOf(rs)), 0) + availableCountForScaleDown([newRS]);
  let budget = availableNow - minAvailable;
  for (const rs of oldest) {
    if (budget <= 0) break;
    if (sizeOf(rs) === 0) continue;
    const n = Math.min(sizeOf(rs), budget);
    sizes.set(rs, sizeOf(rs) - n);
    budget -= n;
  }
  return oldest.filter((rs) => sizeOf(rs) !== specReplicas(rs)).map((rs) => ({ rs, replicas: sizeOf(rs) }));
}

/** deploymentutil.DeploymentComplete for a given status. */
export function deploymentComplete(d: KubeObject, status: { updatedReplicas?: number; replicas?: number; availableReplicas?: number; observedGeneration?: number }): boolean {
  const replicas = specReplicas(d);
  return (
    (status.updatedReplicas ?? 0) === replicas &&
    (status.replicas ?? 0) === replicas &&
    (status.availableReplicas ?? 0) === replicas &&
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}
