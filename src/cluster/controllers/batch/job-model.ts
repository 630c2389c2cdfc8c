/**
 * The parts of batch/v1 Job the job controller reads and writes, and the pure rules of
 * kube-controller-manager's job controller: which pods count as failed, completion indexes and
 * their compact `completedIndexes` form, pod failure policy matching, how many pods should run,
 * and conditions. Kept free of I/O so each rule is unit-tested on its own.
 */
import type { KubeObject } from '../../objects.js';
import { isMap } from '../../builtin/util.js';
import { podPhase } from '../workload-kit.js';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const COMPLETION_INDEX_KEY = 'batch.kubernetes.io/job-completion-index';
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
export const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';

export interface JobCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime?: string | null;
  lastTransitionTime?: string | null;
  reason?: string;
  message?: string;
}

export interface UncountedTerminatedPods {
  succeeded?: string[];
  failed?: string[];
}

export interface JobStatus {
  conditions?: JobCondition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  ready?: number;
  terminating?: number;
  completedIndexes?: string;
  uncountedTerminatedPods?: UncountedTerminatedPods;
}

export interface PodFailurePolicyRule {
  action: 'FailJob' | 'FailIndex' | 'Ignore' | 'Count' | string;
  onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn' | string; values: number[] };
  onPodConditions?: { type: string; status?: string }[];
}

export interface JobSpec {
  parallelism?: number;
  completions?: number | null;
  activeDeadlineSeconds?: number;
  backoffLimit?: number;
  completionMode?: 'NonIndexed' | 'Indexed';
  suspend?: boolean;
  ttlSecondsAfterFinished?: number;
  podReplacementPolicy?: 'TerminatingOrFailed' | 'Failed';
  podFailurePolicy?: { rules?: PodFailurePolicyRule[] };
  managedBy?: string;
  template?: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> };
}

export interface Job extends KubeObject {
  spec?: JobSpec;
  status?: JobStatus;
}

export function jobSpec(job: Job): JobSpec {
  return isMap(job.spec) ? job.spec : {};
}

export function isIndexed(job: Job): boolean {
  return jobSpec(job).completionMode === 'Indexed';
}

export function completionsOf(job: Job): number | undefined {
  const c = jobSpec(job).completions;
  return typeof c === 'number' ? c : undefined;
}

export function hasTrackingFinalizer(pod: KubeObject): boolean {
  return Array.isArray(pod.metadata.finalizers) && pod.metadata.finalizers.includes(JOB_TRACKING_FINALIZER);
}

/** With podReplacementPolicy Failed (the default under a podFailurePolicy), only pods in phase Failed are failures. */
export function onlyReplaceFailedPods(job: Job): boolean {
  const spec = jobSpec(job);
  return spec.podReplacementPolicy === 'Failed' || (spec.podReplacementPolicy === undefined && spec.podFailurePolicy !== undefined);
}

/**
 * Kubernetes' isPodFailed: a Failed pod, or — unless only Failed pods are replaced — a pod deleted
 * before it succeeded (so pods that never reach a phase, e.g. orphaned ones, still count).
 */
export function isPodFailed(pod: KubeObject, job: Job): boolean {
  const phase = podPhase(pod);
  if (phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!pod.metadata.deletionTimestamp && phase !== 'Succeeded';
}

/** Deleted but not yet terminal: what `status.terminating` counts. */
export function isPodTerminating(pod: KubeObject): boolean {
  const phase = podPhase(pod);
  return !!pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

/** The completion index a pod runs (annotation first, as the job controller reads it), if valid for `completions`. */
export function completionIndexOf(pod: KubeObject, completions: number | undefined): number | undefined {
  const raw = pod.metadata.annotations?.[COMPLETION_INDEX_KEY] ?? pod.metadata.labels?.[COMPLETION_INDEX_KEY];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  const i = Number(raw);
  return completions !== undefined && i < completions ? i : undefined;
}

/** Parses `completedIndexes` ("1,3-5,7") into a set; ranges beyond `completions` are clipped. */
export function parseIndexes(text: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  if (!text) return out;
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const from = Number(m[1]);
    const to = Math.min(m[2] === undefined ? from : Number(m[2]), completions - 1);
    for (let i = from; i <= to; i++) out.add(i);
  }
  return out;
}

/** The compact form Kubernetes writes: sorted, consecutive runs as `a-b`. */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** How many pods should be running now (manageJob's wantActive). */
export function wantActive(job: Job, succeeded: number): number {
  const spec = jobSpec(job);
  const parallelism = Math.max(0, spec.parallelism ?? 1);
  const completions = completionsOf(job);
  if (completions === undefined) return succeeded > 0 ? 0 : parallelism;
  return Math.max(0, Math.min(parallelism, completions - succeeded));
}

/** The smallest `count` indexes that are neither completed nor running. */
export function indexesToCreate(completions: number, completed: ReadonlySet<number>, running: ReadonlySet<number>, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!completed.has(i) && !running.has(i)) out.push(i);
  return out;
}

interface ContainerStatus {
  name?: string;
  restartCount?: number;
  state?: { terminated?: { exitCode?: number } };
}

function containerStatuses(pod: KubeObject, which: 'containerStatuses' | 'initContainerStatuses'): ContainerStatus[] {
  const list = isMap(pod.status) ? pod.status[which] : undefined;
  return Array.isArray(list) ? (list.filter(isMap) as ContainerStatus[]) : [];
}

/**
 * With restartPolicy OnFailure, container restarts in running pods are failures too
 * (pastBackoffLimitOnFailure).
 */
export function pastBackoffLimitOnFailure(job: Job, activePods: Iterable<KubeObject>): boolean {
  const restartPolicy = jobSpec(job).template?.spec?.restartPolicy;
  if (restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const pod of activePods) {
    const phase = podPhase(pod);
    if (phase !== 'Running' && phase !== 'Pending' && phase !== undefined) continue;
    for (const s of [...containerStatuses(pod, 'initContainerStatuses'), ...containerStatuses(pod, 'containerStatuses')]) restarts += s.restartCount ?? 0;
  }
  const limit = jobSpec(job).backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

export interface PolicyMatch {
  action: string;
  message: string;
}

/** The first podFailurePolicy rule a Failed pod matches, with Kubernetes' message for it. */
export function matchPodFailurePolicy(job: Job, pod: KubeObject): PolicyMatch | undefined {
  const rules = jobSpec(job).podFailurePolicy?.rules;
  if (!Array.isArray(rules) || podPhase(pod) !== 'Failed') return undefined;
  const podName = `${pod.metadata.namespace}/${pod.metadata.name}`;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (rule.onExitCodes) {
      const hit = exitCodeMatch(pod, rule.onExitCodes);
      if (hit) return { action: rule.action, message: `Container ${hit.name} for pod ${podName} failed with exit code ${hit.code} matching ${rule.action} rule at index ${i}` };
    }
    for (const pc of rule.onPodConditions ?? []) {
      const conditions = isMap(pod.status) && Array.isArray(pod.status.conditions) ? (pod.status.conditions as { type?: string; status?: string }[]) : [];
      if (conditions.some((c) => c.type === pc.type && c.status === (pc.status ?? 'True'))) {
        return { action: rule.action, message: `Pod ${podName} has condition ${pc.type} matching ${rule.action} rule at index ${i}` };
      }
    }
  }
  return undefined;
}

function exitCodeMatch(pod: KubeObject, req: NonNullable<PodFailurePolicyRule['onExitCodes']>): { name: string; code: number } | undefined {
  const values = Array.isArray(req.values) ? req.values : [];
  for (const s of [...containerStatuses(pod, 'initContainerStatuses'), ...containerStatuses(pod, 'containerStatuses')]) {
    if (req.containerName && s.name !== req.containerName) continue;
    const code = s.state?.terminated?.exitCode;
    if (typeof code !== 'number') continue;
    // Containers that succeeded never match: a rule is about how a pod failed.
    if (req.operator === 'In' && values.includes(code)) return { name: s.name ?? '', code };
    if (req.operator === 'NotIn' && code !== 0 && !values.includes(code)) return { name: s.name ?? '', code };
  }
  return undefined;
}

export function findCondition(status: JobStatus, type: string): JobCondition | undefined {
  return (status.conditions ?? []).find((c) => c.type === type);
}

export function conditionTrue(status: JobStatus, type: string): boolean {
  return findCondition(status, type)?.status === 'True';
}

/** Complete or Failed: nothing more happens to the Job but clean-up. */
export function isJobFinished(status: JobStatus | undefined): boolean {
  return !!status && (conditionTrue(status, 'Complete') || conditionTrue(status, 'Failed'));
}

/**
 * Sets a condition like the job controller's ensureJobConditionStatus: an unchanged status keeps
 * its transition time; a change of status (or a new condition) stamps both times. Returns whether
 * anything changed.
 */
export function setCondition(status: JobStatus, type: string, value: JobCondition['status'], reason: string, message: string, now: string): boolean {
  const conditions = status.conditions ?? [];
  const existing = conditions.find((c) => c.type === type);
  if (existing) {
    if (existing.status === value && existing.reason === reason && existing.message === message) return false;
    if (existing.status !== value) {
      existing.lastTransitionTime = now;
    }
    existing.status = value;
    existing.reason = reason;
    existing.message = message;
    existing.lastProbeTime = now;
    status.conditions = conditions;
    return true;
  }
  status.conditions = [...conditions, { type, status: value, lastProbeTime: now, lastTransitionTime: now, reason, message }];
  return true;
}

/** Where the Job ends when it fails, and why (the FailureTarget/Failed condition's reason and message). */
export interface FailureReason {
  reason: string;
  message: string;
}

export const BACKOFF_LIMIT_EXCEEDED: FailureReason = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
export const DEADLINE_EXCEEDED: FailureReason = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
export const COMPLETIONS_REACHED = { reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' };

/** Whether enough pods succeeded for the Job to be complete (completions, Indexed, or the work-queue pattern). */
export function successCriteriaMet(job: Job, succeeded: number, completedIndexes: number, activeCount: number): boolean {
  const completions = completionsOf(job);
  if (completions === undefined) return succeeded > 0 && activeCount === 0;
  if (isIndexed(job)) return completedIndexes >= completions;
  return succeeded >= completions;
}

/** Pod deletion preference when there are too many: unscheduled, pending, not ready, and newest go first (controller.ActivePods order). */
export function deletionRank(a: KubeObject, b: KubeObject): number {
  const score = (p: KubeObject): number[] => {
    const spec = isMap(p.spec) ? p.spec : {};
    const phase = podPhase(p);
    const ready = isMap(p.status) && Array.isArray(p.status.conditions) && (p.status.conditions as { type?: string; status?: string }[]).some((c) => c.type === 'Ready' && c.status === 'True');
    return [spec.nodeName ? 1 : 0, phase === 'Pending' || phase === undefined ? 0 : phase === 'Unknown' ? 1 : 2, ready ? 1 : 0];
  };
  const sa = score(a);
  const sb = score(b);
  for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return sa[i] - sb[i];
  // Newer first.
  return (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '');
}
