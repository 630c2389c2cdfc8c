/**
 * The pure rules of kube-controller-manager's CronJob controller (cronjob_controllerv2 and utils):
 * which scheduled time is due, when to look next, the Job made for a scheduled time, and which
 * finished Jobs fall outside the history limits.
 */
import { clone, isMap } from '../../builtin/util.js';
import type { KubeObject } from '../../objects.js';
import { newControllerRef } from '../workload-kit.js';
import type { CronSchedule } from './cron-schedule.js';
import { formatRfc3339InZone } from './cron-schedule.js';
import { conditionTrue, type Job } from './job-model.js';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** How long after a scheduled time the controller looks again (nextScheduleDelta). */
export const NEXT_SCHEDULE_DELTA_MS = 100;

export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
}

export interface CronJobSpec {
  schedule?: string;
  timeZone?: string;
  startingDeadlineSeconds?: number;
  concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
  suspend?: boolean;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  jobTemplate?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };
}

export interface CronJobStatus {
  active?: ObjectReference[];
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
}

export interface CronJob extends KubeObject {
  spec?: CronJobSpec;
  status?: CronJobStatus;
}

export type Missed = 'none' | 'few' | 'many';

export interface MostRecent {
  /** The time scheduling counts from: lastScheduleTime or creation, moved up by startingDeadlineSeconds. */
  earliest: number;
  /** The most recent scheduled time at or before now, if any is unmet. */
  mostRecent?: number;
  missed: Missed;
}

/** mostRecentScheduleTime, including its approximation for counting missed schedules. */
export function mostRecentScheduleTime(cj: CronJob, nowMs: number, schedule: CronSchedule, includeStartingDeadline: boolean): MostRecent {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '');
  if (Number.isNaN(earliest)) earliest = nowMs;
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (includeStartingDeadline && typeof deadline === 'number') earliest = Math.max(earliest, nowMs - deadline * 1000);
  const t1 = schedule.next(earliest);
  if (t1 === undefined || nowMs < t1) return { earliest, missed: 'none' };
  const t2 = schedule.next(t1);
  if (t2 === undefined || nowMs < t2) return { earliest, mostRecent: t1, missed: 'none' };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) return { earliest, missed: 'none' };
  const elapsed = Math.floor((nowMs - t1) / 1000);
  const missedCount = Math.floor(elapsed / between) + 1;
  let mostRecent: number | undefined;
  const potentialEarliest = t1 + (missedCount - 2) * between * 1000;
  for (let t = schedule.next(potentialEarliest); t !== undefined && t <= nowMs; t = schedule.next(t)) mostRecent = t;
  const missed: Missed = missedCount > 100 ? 'many' : missedCount > 1 ? 'few' : 'none';
  return mostRecent === undefined ? { earliest, missed } : { earliest, mostRecent, missed };
}

/** How long until the controller should look again (nextScheduleTimeDuration). */
export function nextScheduleDelayMs(cj: CronJob, nowMs: number, schedule: CronSchedule): number | undefined {
  const { earliest, mostRecent } = mostRecentScheduleTime(cj, nowMs, schedule, false);
  const next = schedule.next(mostRecent ?? earliest);
  return next === undefined ? undefined : Math.max(0, next + NEXT_SCHEDULE_DELTA_MS - nowMs);
}

/** `<cronjob>-<scheduled time in minutes since the epoch>`: deterministic, so a time never runs twice. */
export function jobNameFor(cj: CronJob, scheduledMs: number): string {
  return `${cj.metadata.name}-${Math.floor(scheduledMs / 60_000)}`;
}

/** getJobFromTemplate2: the Job for one scheduled time. */
export function newJobFromCronJob(cj: CronJob, scheduledMs: number): Job {
  const template = cj.spec?.jobTemplate ?? {};
  const labels = isMap(template.metadata?.labels) ? { ...template.metadata.labels } : {};
  const annotations: Record<string, string> = isMap(template.metadata?.annotations) ? { ...template.metadata.annotations } : {};
  // Kubernetes writes this in the CronJob's time zone (UTC without one), whatever the schedule says.
  annotations[SCHEDULED_TIMESTAMP_ANNOTATION] = formatRfc3339InZone(scheduledMs, cj.spec?.timeZone ?? 'UTC');
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj, scheduledMs),
      namespace: cj.metadata.namespace,
      labels,
      annotations,
      ownerReferences: [newControllerRef(cj)],
    },
    spec: clone(template.spec ?? {}),
  };
}

export function jobRef(job: KubeObject): ObjectReference {
  return {
    kind: 'Job',
    namespace: job.metadata.namespace,
    name: job.metadata.name,
    uid: job.metadata.uid,
    apiVersion: 'batch/v1',
    resourceVersion: job.metadata.resourceVersion,
  };
}

/** The finished condition type (Complete or Failed) of a Job, if it finished. */
export function finishedType(job: Job): 'Complete' | 'Failed' | undefined {
  const status = job.status ?? {};
  if (conditionTrue(status, 'Complete')) return 'Complete';
  if (conditionTrue(status, 'Failed')) return 'Failed';
  return undefined;
}

/** Finished Jobs beyond the history limits, oldest (by start time, then name) first. */
export function jobsBeyondHistory(cj: CronJob, jobs: Iterable<Job>): Job[] {
  const succeeded: Job[] = [];
  const failed: Job[] = [];
  for (const job of jobs) {
    if (job.metadata.deletionTimestamp) continue;
    const type = finishedType(job);
    if (type === 'Complete') succeeded.push(job);
    else if (type === 'Failed') failed.push(job);
  }
  const out: Job[] = [];
  const pick = (list: Job[], limit: number | undefined): void => {
    if (typeof limit !== 'number' || list.length <= limit) return;
    list.sort(byStartTime);
    out.push(...list.slice(0, list.length - limit));
  };
  pick(succeeded, cj.spec?.successfulJobsHistoryLimit);
  pick(failed, cj.spec?.failedJobsHistoryLimit);
  return out;
}

function byStartTime(a: Job, b: Job): number {
  const sa = a.status?.startTime;
  const sb = b.status?.startTime;
  if (sa === undefined && sb !== undefined) return 1;
  if (sa !== undefined && sb === undefined) return -1;
  if (sa !== sb) return (sa ?? '') < (sb ?? '') ? -1 : 1;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** Go's RFC1123Z in UTC, as the MissSchedule event prints the missed time. */
export function rfc1123z(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** metav1.Time form: RFC 3339 in UTC, to the second. */
export function timestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
