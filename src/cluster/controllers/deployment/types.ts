/**
 * The apps/v1 Deployment and ReplicaSet fields the two controllers read and write, typed, plus the
 * labels and annotations Kubernetes uses to tie them together. Objects stay plain JSON: these are
 * views, and every accessor tolerates a missing or malformed field (validation should have caught
 * it, but a controller must never crash on what is stored).
 */
import type { KubeObject } from '../../objects.js';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';

export type IntOrString = number | string;

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[]; [k: string]: unknown };
  spec?: Record<string, unknown>;
}

export interface DeploymentSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
  strategy?: { type?: string; rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString } };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  paused?: boolean;
}

export interface DeploymentCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  collisionCount?: number;
  conditions?: DeploymentCondition[];
}

export interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
}

export interface ReplicaSetCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaSetStatus {
  replicas?: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

const count = (v: unknown, fallback = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

export function deploymentSpec(d: KubeObject): DeploymentSpec {
  return (d.spec as DeploymentSpec | undefined) ?? {};
}

export function deploymentStatus(d: KubeObject): DeploymentStatus {
  return (d.status as DeploymentStatus | undefined) ?? {};
}

export function replicaSetSpec(rs: KubeObject): ReplicaSetSpec {
  return (rs.spec as ReplicaSetSpec | undefined) ?? {};
}

export function replicaSetStatus(rs: KubeObject): ReplicaSetStatus {
  return (rs.status as ReplicaSetStatus | undefined) ?? {};
}

/** `*spec.replicas` (the API server defaults it to 1 for both kinds). */
export function specReplicas(obj: KubeObject): number {
  return count((obj.spec as { replicas?: unknown } | undefined)?.replicas, 1);
}

export function statusReplicas(rs: KubeObject): number {
  return count(replicaSetStatus(rs).replicas);
}

export function readyReplicas(rs: KubeObject): number {
  return count(replicaSetStatus(rs).readyReplicas);
}

export function availableReplicas(rs: KubeObject): number {
  return count(replicaSetStatus(rs).availableReplicas);
}

export function minReadySeconds(obj: KubeObject): number {
  return count((obj.spec as { minReadySeconds?: unknown } | undefined)?.minReadySeconds);
}

export function generation(obj: KubeObject): number {
  return count(obj.metadata.generation);
}

export function isRollingUpdate(d: KubeObject): boolean {
  return deploymentSpec(d).strategy?.type !== 'Recreate';
}

/** Creation time as milliseconds (0 when absent, which sorts it first as Kubernetes' zero time does). */
export function createdAt(obj: KubeObject): number {
  const t = obj.metadata.creationTimestamp ? Date.parse(obj.metadata.creationTimestamp) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

/** ReplicaSetsByCreationTimestamp: older first, then by name. */
export function byCreation(a: KubeObject, b: KubeObject): number {
  const d = createdAt(a) - createdAt(b);
  if (d !== 0) return d;
  const an = a.metadata.name ?? '';
  const bn = b.metadata.name ?? '';
  return an < bn ? -1 : an > bn ? 1 : 0;
}
