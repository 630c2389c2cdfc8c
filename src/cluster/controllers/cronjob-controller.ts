/**
 * The CronJob controller (batch/v1), as kube-controller-manager's cronjob_controllerv2: at each
 * scheduled time (standard cron, in `spec.timeZone` or a `CRON_TZ=` prefix) it creates the Job
 * `<cronjob>-<minutes since epoch>`, honouring `suspend`, `startingDeadlineSeconds` and
 * `concurrencyPolicy` (Allow / Forbid / Replace); it tracks `status.active`, `lastScheduleTime` and
 * `lastSuccessfulTime`, and deletes finished Jobs beyond the history limits.
 *
 * Each CronJob has one timer, set for its next scheduled time: nothing polls.
 */
import { isLoadableTimeZone } from '../builtin/cron.js';
import { ApiError } from '../errors.js';
import type { KubeObject } from '../objects.js';
import { OwnerIndex } from './owner-index.js';
import { systemScope } from './system-scope.js';
import { WorkloadController } from './workload-controller.js';
import { isControlledBy, namespacedKey } from './workload-kit.js';
import { WakeUps } from './stateful/wake-ups.js';
import { parseCronSchedule, type CronSchedule } from './batch/cron-schedule.js';
import {
  finishedType,
  jobNameFor,
  jobRef,
  jobsBeyondHistory,
  mostRecentScheduleTime,
  newJobFromCronJob,
  nextScheduleDelayMs,
  rfc1123z,
  timestamp,
  type CronJob,
  type CronJobStatus,
} from './batch/cronjob-model.js';
import type { Job } from './batch/job-model.js';

const CRONJOBS = 'batch/cronjobs';
const JOBS = 'batch/jobs';
const MANAGER = 'cronjob-controller';

export interface CronJobControllerOptions {
  /** The clock schedules are evaluated against (tests drive it). */
  now?: () => Date;
}

export class CronJobController extends WorkloadController<CronJobControllerOptions> {
  private readonly jobs = new OwnerIndex({ group: 'batch', kind: 'CronJob' });
  /** One pending wake-up per CronJob: its next scheduled time. */
  private readonly wakeUps = new WakeUps((key) => this.enqueue(key));
  private readonly clock = this.options.now ?? (() => new Date());

  start(): void {
    this.followOwnersAndDependents(CRONJOBS, [{ resource: JOBS, index: this.jobs }]);
    this.resync();
  }

  override stop(): void {
    this.wakeUps.stop();
    super.stop();
  }

  /**
   * Re-evaluates every CronJob against the clock now. Timers follow the monotonic clock, so call
   * this when wall time jumped (a resumed laptop, a corrected clock — or a test driving time).
   */
  resync(): void {
    for (const { obj } of this.store.list(CRONJOBS)) this.enqueue(namespacedKey(obj));
  }

  protected override forgetOwner(_uid: string, key: string): void {
    this.wakeUps.cancel(key);
  }

  private get cronJobType() {
    return this.registry.lookup('batch', 'v1', 'cronjobs')!;
  }

  private get jobType() {
    return this.registry.lookup('batch', 'v1', 'jobs')!;
  }

  // ------------------------------------------------------------------ sync

  protected async sync(key: string): Promise<void> {
    const stored = this.store.get(CRONJOBS, key);
    if (!stored) return;
    const cj = stored.obj as CronJob;
    const status: CronJobStatus = structuredClone(cj.status ?? {});
    const children = [...this.jobs.owned(cj.metadata.uid)].map(([, j]) => j as Job);
    let changed = this.reconcileActive(cj, status, children);
    const outcome = await this.maybeRunJob(cj, status, children);
    changed = outcome.changed || changed;
    changed = (await this.cleanupHistory(cj, status, children)) || changed;
    if (changed) {
      try {
        await this.service.update(systemScope(this.cronJobType, cj.metadata.namespace, MANAGER), cj.metadata.name!, { ...cj, metadata: { ...cj.metadata }, status: normalize(status) }, 'status');
      } catch (err) {
        // A newer CronJob is on its way here through the watch (409), or it is gone (404).
        if (!(err instanceof ApiError && (err.code === 409 || err.code === 404))) throw err;
      }
    }
    // The schedule may have moved later (an edited spec): the new time replaces the old.
    if (outcome.nextDelayMs !== undefined) this.wakeUps.reset(key, outcome.nextDelayMs);
    else this.wakeUps.cancel(key);
  }

  /** Drops finished and vanished Jobs from `status.active`; notes the newest successful completion. */
  private reconcileActive(cj: CronJob, status: CronJobStatus, children: Job[]): boolean {
    let changed = false;
    const active = status.active ?? [];
    const byUid = new Map(children.map((j) => [j.metadata.uid!, j]));
    for (const job of children) {
      const listed = active.some((r) => r.uid === job.metadata.uid);
      const finished = finishedType(job);
      if (!listed && !finished && !job.metadata.deletionTimestamp) {
        this.recorder.record(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${job.metadata.name}`);
      } else if (listed && finished) {
        status.active = (status.active ?? []).filter((r) => r.uid !== job.metadata.uid);
        this.recorder.record(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata.name}, condition: ${finished}`);
        changed = true;
      }
      const completedAt = job.status?.completionTime;
      if (finished === 'Complete' && completedAt && (!status.lastSuccessfulTime || completedAt > status.lastSuccessfulTime)) {
        status.lastSuccessfulTime = completedAt;
        changed = true;
      }
    }
    for (const ref of active) {
      if (ref.uid && byUid.has(ref.uid)) continue;
      this.recorder.record(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
      status.active = (status.active ?? []).filter((r) => r.uid !== ref.uid);
      changed = true;
    }
    return changed;
  }

  /** Creates the Job for the scheduled time that is due, if any; says when to look next. */
  private async maybeRunJob(cj: CronJob, status: CronJobStatus, children: Job[]): Promise<{ changed: boolean; nextDelayMs?: number }> {
    const spec = cj.spec ?? {};
    if (cj.metadata.deletionTimestamp) return { changed: false };
    if (spec.timeZone !== undefined && !isLoadableTimeZone(spec.timeZone)) {
      this.recorder.record(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(spec.timeZone)}: unknown time zone ${spec.timeZone}`);
      return { changed: false };
    }
    if (spec.suspend === true) return { changed: false };
    let schedule: CronSchedule;
    try {
      schedule = parseCronSchedule(spec.schedule ?? '', spec.timeZone);
    } catch (err) {
      this.recorder.record(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(spec.schedule ?? '')} : ${(err as Error).message}`);
      return { changed: false };
    }
    const nowMs = this.clock().getTime();
    // Status as it will be written: the next time is computed from it.
    const view: CronJob = { ...cj, status };
    const next = (): number | undefined => nextScheduleDelayMs(view, nowMs, schedule);
    const { mostRecent, missed } = mostRecentScheduleTime(view, nowMs, schedule, true);
    if (mostRecent === undefined) return { changed: false, nextDelayMs: next() };
    if (missed === 'many') {
      this.recorder.record(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
    const deadline = spec.startingDeadlineSeconds;
    if (typeof deadline === 'number' && mostRecent + deadline * 1000 < nowMs) {
      this.recorder.record(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(mostRecent)}`);
      return { changed: false, nextDelayMs: next() };
    }
    const name = jobNameFor(cj, mostRecent);
    if ((status.active ?? []).some((r) => r.name === name) || (status.lastScheduleTime && Date.parse(status.lastScheduleTime) === mostRecent)) {
      return { changed: false, nextDelayMs: next() };
    }
    if (spec.concurrencyPolicy === 'Forbid' && (status.active ?? []).length > 0) {
      this.recorder.record(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return { changed: false, nextDelayMs: next() };
    }
    let changed = false;
    if (spec.concurrencyPolicy === 'Replace') {
      for (const ref of [...(status.active ?? [])]) {
        const job = children.find((j) => j.metadata.uid === ref.uid);
        if (job) await this.deleteJob(cj, status, job);
        changed = true;
      }
    }
    const job = await this.createJob(cj, mostRecent);
    if (!job) return { changed, nextDelayMs: next() };
    if (!(status.active ?? []).some((r) => r.uid === job.metadata.uid)) status.active = [...(status.active ?? []), jobRef(job)];
    status.lastScheduleTime = timestamp(mostRecent);
    return { changed: true, nextDelayMs: next() };
  }

  /** Creates the Job, or adopts the one we created before a crash; undefined when someone else owns the name. */
  private async createJob(cj: CronJob, scheduledMs: number): Promise<Job | undefined> {
    const scope = systemScope(this.jobType, cj.metadata.namespace, MANAGER);
    const desired = newJobFromCronJob(cj, scheduledMs);
    try {
      const { object } = await this.service.create(scope, desired);
      this.recorder.record(cj, 'Normal', 'SuccessfulCreate', `Created job ${object.metadata.name}`);
      return object as Job;
    } catch (err) {
      if (err instanceof ApiError && err.code === 409) {
        const existing = this.store.get(JOBS, `${cj.metadata.namespace}/${desired.metadata.name}`)?.obj as Job | undefined;
        return existing && isControlledBy(existing, cj) ? existing : undefined;
      }
      const message = err instanceof Error ? err.message : String(err);
      this.recorder.record(cj, 'Warning', 'FailedCreate', `Error creating job: ${message}`);
      throw err;
    }
  }

  private async deleteJob(cj: CronJob, status: CronJobStatus, job: KubeObject): Promise<void> {
    try {
      await this.service.delete(systemScope(this.jobType, job.metadata.namespace, MANAGER), job.metadata.name!, {
        propagationPolicy: 'Background',
        preconditions: { uid: job.metadata.uid! },
      });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) {
        this.recorder.record(cj, 'Warning', 'FailedDelete', `Deleted job: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }
    }
    status.active = (status.active ?? []).filter((r) => r.uid !== job.metadata.uid);
    this.recorder.record(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
  }

  /** successfulJobsHistoryLimit / failedJobsHistoryLimit. */
  private async cleanupHistory(cj: CronJob, status: CronJobStatus, children: Job[]): Promise<boolean> {
    const victims = jobsBeyondHistory(cj, children);
    for (const job of victims) await this.deleteJob(cj, status, job);
    return victims.length > 0;
  }
}

function normalize(status: CronJobStatus): CronJobStatus {
  const out = { ...status };
  if (out.active && out.active.length === 0) delete out.active;
  return out;
}
