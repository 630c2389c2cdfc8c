/**
 * The Job controller (batch/v1), as kube-controller-manager's: runs pods until `completions` succeed
 * (NonIndexed or Indexed) with at most `parallelism` at once; fails the Job past `backoffLimit`,
 * `activeDeadlineSeconds` or a podFailurePolicy FailJob rule; honours `suspend`; deletes finished
 * Jobs after `ttlSecondsAfterFinished`.
 *
 * Counting is exact however pods come and go, with Kubernetes' own scheme: every pod is created with
 * the `batch.kubernetes.io/job-tracking` finalizer, so it cannot disappear uncounted. A terminated pod
 * is first recorded by uid in `status.uncountedTerminatedPods` (durably, in the Job), then its
 * finalizer is removed, and only then is it moved into `succeeded`/`failed`. A crash between any two
 * steps leaves either the finalizer (the pod is seen again) or the uid (it is counted once).
 */
import { now } from '../api/resource-service.js';
import { ApiError } from '../errors.js';
import type { KubeObject } from '../objects.js';
import type { StoreEvent } from '../store/object-store.js';
import { systemScope } from './system-scope.js';
import { WorkloadController } from './workload-controller.js';
import { isPodReady, namespacedKey } from './workload-kit.js';
import { JobPodIndex, newJobPod, type JobPods } from './batch/job-pods.js';
import { WakeUps } from './stateful/wake-ups.js';
import {
  BACKOFF_LIMIT_EXCEEDED,
  COMPLETIONS_REACHED,
  completionIndexOf,
  completionsOf,
  conditionTrue,
  DEADLINE_EXCEEDED,
  deletionRank,
  findCondition,
  formatIndexes,
  hasTrackingFinalizer,
  indexesToCreate,
  isIndexed,
  isJobFinished,
  isPodFailed,
  JOB_CONTROLLER_NAME,
  JOB_TRACKING_FINALIZER,
  jobSpec,
  matchPodFailurePolicy,
  onlyReplaceFailedPods,
  parseIndexes,
  pastBackoffLimitOnFailure,
  setCondition,
  successCriteriaMet,
  wantActive,
  type FailureReason,
  type Job,
  type JobStatus,
} from './batch/job-model.js';

const JOBS = 'batch/jobs';
const MANAGER = 'job-controller';
/** Kubernetes' DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff. */
const DEFAULT_BACKOFF = { baseMs: 10_000, maxMs: 360_000 };

export interface JobControllerOptions {
  /** Delay before replacing failed pods: base doubling per failure up to max (Kubernetes: 10s to 6min). */
  podFailureBackoff?: { baseMs: number; maxMs: number };
}

interface FailureRecord {
  failuresSinceSuccess: number;
  lastFailureMs: number;
}

/** What one sync learnt from the Job's terminated pods. */
interface Accounting {
  uncountedSucceeded: Set<string>;
  uncountedFailed: Set<string>;
  completed: Set<number> | undefined;
  /** Pods whose finalizer can go now (recorded in uncounted, or not counted at all). */
  release: KubeObject[];
  changed: boolean;
  newFailures: number;
  newSuccesses: number;
  failJob?: FailureReason;
}

export class JobController extends WorkloadController<JobControllerOptions> {
  private readonly pods = new JobPodIndex();
  private readonly failures = new Map<string, FailureRecord>();
  private readonly backoff = this.options.podFailureBackoff ?? DEFAULT_BACKOFF;
  /** Deadlines, TTLs and back-offs: time alone moves a Job on. */
  private readonly wakeUps = new WakeUps((key) => this.enqueue(key));

  start(): void {
    this.followOwnersAndDependents(JOBS, [{ resource: 'pods', index: this.pods, onEvent: (e) => this.onPod(e) }]);
    this.enqueueAllOwners();
    for (const { obj } of this.store.list('pods')) {
      if (hasTrackingFinalizer(obj) && !this.ownedByLiveJob(obj)) this.enqueueOrphan(namespacedKey(obj));
    }
  }

  override stop(): void {
    this.wakeUps.stop();
    super.stop();
  }

  protected override forgetOwner(uid: string, key: string): void {
    this.failures.delete(uid);
    this.wakeUps.cancel(key);
    // Its pods are the garbage collector's now; they must not stay pinned by our finalizer.
    for (const podKey of this.pods.of(uid).tracked.keys()) this.enqueueOrphan(podKey);
  }

  private onPod(e: StoreEvent): void {
    this.enqueueOwners(this.pods.observe(e));
    if (e.type !== 'DELETED' && hasTrackingFinalizer(e.object.obj) && !this.ownedByLiveJob(e.object.obj)) this.enqueueOrphan(e.key);
  }

  /** Whether the pod's Job still exists: orphaned pods must not stay pinned by our finalizer. */
  private ownedByLiveJob(pod: KubeObject): boolean {
    const ref = this.pods.jobRefOf(pod);
    return !!ref && this.ownerKeys.has(ref.uid);
  }

  /** Job syncs and orphaned pods' releases share the queue: a prefix keeps their keys apart. */
  protected override enqueue(key: string): void {
    this.queue.add(`job|${key}`, () => this.sync(key));
  }

  private enqueueOrphan(podKey: string): void {
    this.queue.add(`orphan|${podKey}`, () => this.releaseOrphan(podKey));
  }

  private get podType() {
    return this.registry.lookup('', 'v1', 'pods')!;
  }

  private get jobType() {
    return this.registry.lookup('batch', 'v1', 'jobs')!;
  }

  // ------------------------------------------------------------------ sync

  protected async sync(key: string): Promise<void> {
    const stored = this.store.get(JOBS, key);
    if (!stored) return;
    const job = stored.obj as Job;
    const pods = this.pods.of(job.metadata.uid);
    const managedBy = jobSpec(job).managedBy;
    if (managedBy !== undefined && managedBy !== JOB_CONTROLLER_NAME) return;
    if (job.metadata.deletionTimestamp) {
      await this.releaseAll(pods);
      return;
    }
    if (isJobFinished(job.status)) {
      await this.releaseAll(pods);
      await this.expireIfDue(job, key);
      return;
    }
    try {
      await this.syncActive(job, key, pods);
    } catch (err) {
      // A stale Job: its newer version's watch event queues another sync. Or it is gone.
      if (err instanceof ApiError && (err.code === 409 || err.code === 404)) return;
      throw err;
    }
  }

  private async syncActive(initial: Job, key: string, pods: JobPods): Promise<void> {
    let job = initial;
    const status: JobStatus = structuredClone(job.status ?? {});
    const t = now();
    const nowMs = Date.now();

    // The running pods as accounted below. Pods that finish while this sync awaits stay in this
    // snapshot (they keep their slot): they are counted, and replaced, by the sync their change queues.
    const running = [...pods.active.values()];
    const holding = onlyReplaceFailedPods(job) ? pods.terminating.size : 0;

    // 1. Record newly terminated pods by uid before anything else touches them.
    const acc = this.account(job, status, pods);
    const succeeded = (status.succeeded ?? 0) + acc.uncountedSucceeded.size;
    const failed = (status.failed ?? 0) + acc.uncountedFailed.size;
    this.noteOutcomes(job.metadata.uid!, acc, nowMs);

    // 2. Has the Job reached its end?
    const suspended = jobSpec(job).suspend === true;
    const failure = this.failureOf(job, status, acc, failed, pods, nowMs);
    const success =
      !failure &&
      (conditionTrue(status, 'SuccessCriteriaMet') || successCriteriaMet(job, succeeded, acc.completed?.size ?? 0, pods.active.size));
    let conditionsChanged = false;
    if (failure) conditionsChanged = setCondition(status, 'FailureTarget', 'True', failure.reason, failure.message, t) || conditionsChanged;
    if (success) conditionsChanged = setCondition(status, 'SuccessCriteriaMet', 'True', COMPLETIONS_REACHED.reason, COMPLETIONS_REACHED.message, t) || conditionsChanged;
    writeUncounted(status, acc);
    if (acc.completed) status.completedIndexes = formatIndexes(acc.completed) || undefined;
    if (acc.changed || conditionsChanged) job = await this.writeStatus(job, status);

    // 3. Counted pods may go now.
    await Promise.all(acc.release.map((pod) => this.removeFinalizer(pod)));

    // 4. Bring the pods in line.
    if (failure || success) {
      await this.deletePods(job, [...pods.active.values()], false);
    } else if (suspended) {
      await this.deletePods(job, [...pods.active.values()], true);
    } else {
      await this.managePods(job, key, running, holding, succeeded, acc.completed, nowMs);
    }

    // 5. Move uids whose pods no longer hold the finalizer into the counters.
    flushUncounted(status, pods);

    // 6. Live counts, suspension, start time, and the terminal condition once every pod is done.
    status.active = pods.active.size;
    status.ready = pods.readyCount();
    status.terminating = pods.terminating.size;
    this.updateSuspension(job, status, suspended, t);
    if (!status.startTime && !suspended) status.startTime = t;
    const uncountedLeft = (status.uncountedTerminatedPods?.succeeded?.length ?? 0) + (status.uncountedTerminatedPods?.failed?.length ?? 0);
    const settled = pods.active.size === 0 && pods.terminating.size === 0 && pods.pending.size === 0 && uncountedLeft === 0;
    if (settled && failure) {
      setCondition(status, 'Failed', 'True', failure.reason, failure.message, t);
    } else if (settled && success) {
      setCondition(status, 'Complete', 'True', COMPLETIONS_REACHED.reason, COMPLETIONS_REACHED.message, t);
      status.completionTime = t;
    }
    job = await this.writeStatus(job, normalizeStatus(status));
    if (isJobFinished(job.status)) {
      if (failure) this.recorder.record(job, 'Warning', failure.reason, failure.message);
      else this.recorder.record(job, 'Normal', 'Completed', 'Job completed');
      await this.expireIfDue(job, key);
      return;
    }
    this.requeueForDeadline(job, key, suspended, nowMs);
  }

  /** Sorts the Job's not-yet-counted terminated pods into uncounted uids and pods to release. */
  private account(job: Job, status: JobStatus, pods: JobPods): Accounting {
    const completions = completionsOf(job);
    const acc: Accounting = {
      uncountedSucceeded: new Set(status.uncountedTerminatedPods?.succeeded ?? []),
      uncountedFailed: new Set(status.uncountedTerminatedPods?.failed ?? []),
      completed: isIndexed(job) && completions !== undefined ? parseIndexes(status.completedIndexes, completions) : undefined,
      release: [],
      changed: false,
      newFailures: 0,
      newSuccesses: 0,
    };
    for (const pod of pods.pending.values()) {
      const uid = pod.metadata.uid!;
      if (acc.uncountedSucceeded.has(uid) || acc.uncountedFailed.has(uid)) {
        acc.release.push(pod);
        continue;
      }
      if (pod.status && (pod.status as { phase?: string }).phase === 'Succeeded') {
        this.accountSuccess(pod, completions, acc);
        acc.release.push(pod);
      } else if (isPodFailed(pod, job)) {
        this.accountFailure(job, pod, acc);
        acc.release.push(pod);
      }
      // Otherwise a terminating pod under podReplacementPolicy Failed: wait for its final phase.
    }
    return acc;
  }

  private accountSuccess(pod: KubeObject, completions: number | undefined, acc: Accounting): void {
    if (acc.completed) {
      const index = completionIndexOf(pod, completions);
      // A second success of an index (or an index out of range) is released without counting.
      if (index === undefined || acc.completed.has(index)) return;
      acc.completed.add(index);
    }
    acc.uncountedSucceeded.add(pod.metadata.uid!);
    acc.newSuccesses++;
    acc.changed = true;
  }

  private accountFailure(job: Job, pod: KubeObject, acc: Accounting): void {
    const rule = matchPodFailurePolicy(job, pod);
    if (rule?.action === 'Ignore') return;
    acc.uncountedFailed.add(pod.metadata.uid!);
    acc.newFailures++;
    acc.changed = true;
    if (rule?.action === 'FailJob' && !acc.failJob) acc.failJob = { reason: 'PodFailurePolicy', message: rule.message };
  }

  private noteOutcomes(jobUid: string, acc: Accounting, nowMs: number): void {
    if (acc.newSuccesses > 0) this.failures.delete(jobUid);
    if (acc.newFailures > 0) {
      const rec = this.failures.get(jobUid) ?? { failuresSinceSuccess: 0, lastFailureMs: nowMs };
      rec.failuresSinceSuccess += acc.newFailures;
      rec.lastFailureMs = nowMs;
      this.failures.set(jobUid, rec);
    }
  }

  /** The reason the Job fails, if it does (an earlier FailureTarget stands). */
  private failureOf(job: Job, status: JobStatus, acc: Accounting, failed: number, pods: JobPods, nowMs: number): FailureReason | undefined {
    const target = findCondition(status, 'FailureTarget');
    if (target?.status === 'True') return { reason: target.reason ?? 'BackoffLimitExceeded', message: target.message ?? '' };
    if (acc.failJob) return acc.failJob;
    const spec = jobSpec(job);
    if (failed > (spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, pods.active.values())) return BACKOFF_LIMIT_EXCEEDED;
    const ads = spec.activeDeadlineSeconds;
    if (typeof ads === 'number' && status.startTime && spec.suspend !== true && Date.parse(status.startTime) + ads * 1000 <= nowMs) return DEADLINE_EXCEEDED;
    return undefined;
  }

  private updateSuspension(job: Job, status: JobStatus, suspended: boolean, t: string): void {
    if (suspended) {
      if (setCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', t)) this.recorder.record(job, 'Normal', 'Suspended', 'Job suspended');
      return;
    }
    if (!findCondition(status, 'Suspended')) return;
    if (setCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', t)) {
      this.recorder.record(job, 'Normal', 'Resumed', 'Job resumed');
      // activeDeadlineSeconds counts continuous activity: a resumed Job starts its clock again.
      status.startTime = t;
    }
  }

  private requeueForDeadline(job: Job, key: string, suspended: boolean, nowMs: number): void {
    const ads = jobSpec(job).activeDeadlineSeconds;
    const start = job.status?.startTime;
    if (suspended || typeof ads !== 'number' || !start) return;
    this.wakeUps.at(key, Math.max(0, Date.parse(start) + ads * 1000 - nowMs) + 5);
  }

  // ------------------------------------------------------------------ pods

  /** Creates or deletes pods so that `running` (+ `holding`: terminating pods that keep their slot) matches what the Job wants. */
  private async managePods(
    job: Job,
    key: string,
    active: KubeObject[],
    holding: number,
    succeeded: number,
    completed: Set<number> | undefined,
    nowMs: number,
  ): Promise<void> {
    const want = wantActive(job, completed ? completed.size : succeeded);
    let running = active;
    let indexesRunning: Set<number> | undefined;
    if (completed) {
      const { keep, surplus } = sortIndexedPods(running, completionsOf(job) ?? 0, completed);
      await this.deletePods(job, surplus, true);
      running = keep;
      indexesRunning = new Set(keep.map((p) => completionIndexOf(p, completionsOf(job))!));
    }
    const excess = running.length + holding - want;
    if (excess > 0) {
      await this.deletePods(job, [...running].sort(deletionRank).slice(0, excess), true);
      return;
    }
    const missing = -excess;
    if (missing === 0) return;
    const wait = this.backoffRemaining(job.metadata.uid!, nowMs);
    if (wait > 0) {
      this.wakeUps.at(key, wait);
      return;
    }
    const indexes = completed ? indexesToCreate(completionsOf(job) ?? 0, completed, indexesRunning ?? new Set(), missing) : undefined;
    const count = indexes ? indexes.length : missing;
    await this.createPods(job, count, (i) => (indexes ? indexes[i] : undefined));
  }

  private backoffRemaining(jobUid: string, nowMs: number): number {
    const rec = this.failures.get(jobUid);
    if (!rec || rec.failuresSinceSuccess === 0) return 0;
    const delay = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** (rec.failuresSinceSuccess - 1));
    return Math.max(0, rec.lastFailureMs + delay - nowMs);
  }

  /** Creates pods in slow-start batches (1, 2, 4, ...), stopping at the first failure as Kubernetes does. */
  private async createPods(job: Job, count: number, indexAt: (i: number) => number | undefined): Promise<void> {
    const scope = systemScope(this.podType, job.metadata.namespace, MANAGER);
    let created = 0;
    for (let batch = 1; created < count; batch *= 2) {
      const size = Math.min(batch, count - created);
      const results = await Promise.allSettled(
        Array.from({ length: size }, async (_, j) => {
          const { object } = await this.service.create(scope, newJobPod(job, indexAt(created + j)));
          this.recorder.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${object.metadata.name}`);
        }),
      );
      created += size;
      const failedCreate = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failedCreate) {
        const message = failedCreate.reason instanceof Error ? failedCreate.reason.message : String(failedCreate.reason);
        this.recorder.record(job, 'Warning', 'FailedCreate', `Error creating: ${message}`);
        throw failedCreate.reason;
      }
    }
  }

  /**
   * Deletes pods. `uncounted` pods (surplus, or a suspended Job's) lose their finalizer first so
   * their end is not a failure; pods of a finishing Job keep it and count as failed, as in Kubernetes.
   */
  private async deletePods(job: Job, victims: KubeObject[], uncounted: boolean): Promise<void> {
    const scope = systemScope(this.podType, job.metadata.namespace, MANAGER);
    await Promise.all(
      victims.map(async (pod) => {
        if (uncounted) await this.removeFinalizer(pod);
        try {
          await this.service.delete(scope, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid! } });
          this.recorder.record(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        } catch (err) {
          if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
        }
      }),
    );
  }

  private async removeFinalizer(pod: KubeObject): Promise<void> {
    if (!hasTrackingFinalizer(pod)) return;
    try {
      await this.service.patch(systemScope(this.podType, pod.metadata.namespace, MANAGER), pod.metadata.name!, 'strategic', {
        metadata: { [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER] },
      });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  }

  private async releaseAll(pods: JobPods): Promise<void> {
    await Promise.all([...pods.tracked.values()].map((p) => this.removeFinalizer(p)));
  }

  private async releaseOrphan(podKey: string): Promise<void> {
    const pod = this.store.get('pods', podKey)?.obj;
    if (!pod || !hasTrackingFinalizer(pod) || this.ownedByLiveJob(pod)) return;
    await this.removeFinalizer(pod);
  }

  // ------------------------------------------------------------------ status and TTL

  private async writeStatus(job: Job, status: JobStatus): Promise<Job> {
    // A fresh metadata object: the service normalizes the body's metadata in place, and `job` may be the stored object.
    const body = { ...job, metadata: { ...job.metadata }, status };
    const { object } = await this.service.update(systemScope(this.jobType, job.metadata.namespace, MANAGER), job.metadata.name!, body, 'status');
    return object as Job;
  }

  /** ttlSecondsAfterFinished: the finished Job goes (its pods follow through the garbage collector). */
  private async expireIfDue(job: Job, key: string): Promise<void> {
    const ttl = jobSpec(job).ttlSecondsAfterFinished;
    if (typeof ttl !== 'number') return;
    const finished = (job.status?.conditions ?? []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    const finishedAt = Date.parse(finished?.lastTransitionTime ?? job.status?.completionTime ?? '');
    if (Number.isNaN(finishedAt)) return;
    const remaining = finishedAt + ttl * 1000 - Date.now();
    if (remaining > 0) {
      this.wakeUps.at(key, remaining + 5);
      return;
    }
    try {
      await this.service.delete(systemScope(this.jobType, job.metadata.namespace, 'ttl-after-finished-controller'), job.metadata.name!, {
        propagationPolicy: 'Background',
        preconditions: { uid: job.metadata.uid! },
      });
    } catch (err) {
      if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
    }
  }
}

/** Indexed Jobs: one running pod per index; pods of completed, invalid or duplicate indexes are surplus. */
export function sortIndexedPods(active: KubeObject[], completions: number, completed: ReadonlySet<number>): { keep: KubeObject[]; surplus: KubeObject[] } {
  const keep = new Map<number, KubeObject>();
  const surplus: KubeObject[] = [];
  for (const pod of active) {
    const index = completionIndexOf(pod, completions);
    if (index === undefined || completed.has(index)) {
      surplus.push(pod);
      continue;
    }
    const other = keep.get(index);
    if (!other) {
      keep.set(index, pod);
      continue;
    }
    // Keep the better of two pods for one index (ready, then older).
    const better = preferForIndex(other, pod);
    keep.set(index, better);
    surplus.push(better === other ? pod : other);
  }
  return { keep: [...keep.values()], surplus };
}

function preferForIndex(a: KubeObject, b: KubeObject): KubeObject {
  if (isPodReady(a) !== isPodReady(b)) return isPodReady(a) ? a : b;
  return (a.metadata.creationTimestamp ?? '') <= (b.metadata.creationTimestamp ?? '') ? a : b;
}

function writeUncounted(status: JobStatus, acc: Accounting): void {
  const u: { succeeded?: string[]; failed?: string[] } = {};
  if (acc.uncountedSucceeded.size > 0) u.succeeded = [...acc.uncountedSucceeded];
  if (acc.uncountedFailed.size > 0) u.failed = [...acc.uncountedFailed];
  status.uncountedTerminatedPods = u;
}

/** Moves uids whose pods are gone or released from `uncountedTerminatedPods` into the counters. */
export function flushUncounted(status: JobStatus, pods: Pick<JobPods, 'byUid'>): void {
  const u = status.uncountedTerminatedPods ?? {};
  const released = (uid: string): boolean => {
    const pod = pods.byUid(uid);
    return !pod || !hasTrackingFinalizer(pod);
  };
  const s = (u.succeeded ?? []).filter((uid) => !released(uid));
  const f = (u.failed ?? []).filter((uid) => !released(uid));
  status.succeeded = (status.succeeded ?? 0) + (u.succeeded ?? []).length - s.length;
  status.failed = (status.failed ?? 0) + (u.failed ?? []).length - f.length;
  const left: { succeeded?: string[]; failed?: string[] } = {};
  if (s.length > 0) left.succeeded = s;
  if (f.length > 0) left.failed = f;
  status.uncountedTerminatedPods = left;
}

/** Zero counters are omitted (`omitempty` in Kubernetes), except `ready` and `terminating`, which are pointers. */
function normalizeStatus(status: JobStatus): JobStatus {
  const out: JobStatus = { ...status };
  if (!out.active) delete out.active;
  if (!out.succeeded) delete out.succeeded;
  if (!out.failed) delete out.failed;
  if (!out.completedIndexes) delete out.completedIndexes;
  return out;
}
