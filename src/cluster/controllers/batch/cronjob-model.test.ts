import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCronSchedule } from './cron-schedule.js';
import { jobNameFor, jobsBeyondHistory, mostRecentScheduleTime, newJobFromCronJob, nextScheduleDelayMs, type CronJob } from './cronjob-model.js';
import type { Job } from './job-model.js';

const iso = (s: string): number => Date.parse(s);

function cronJob(spec: CronJob['spec'], status: CronJob['status'] = {}): CronJob {
  return { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'tick', namespace: 'default', uid: 'cj', creationTimestamp: '2024-05-01T10:00:30Z' }, spec, status };
}

test('the most recent unmet time, missed counts, and starting deadlines', () => {
  const every5 = parseCronSchedule('*/5 * * * *', 'UTC');
  const cj = cronJob({ schedule: '*/5 * * * *' });
  assert.deepEqual(mostRecentScheduleTime(cj, iso('2024-05-01T10:04:00Z'), every5, true), { earliest: iso('2024-05-01T10:00:30Z'), missed: 'none' });
  assert.equal(mostRecentScheduleTime(cj, iso('2024-05-01T10:05:00Z'), every5, true).mostRecent, iso('2024-05-01T10:05:00Z'));
  const late = mostRecentScheduleTime(cj, iso('2024-05-01T10:17:00Z'), every5, true);
  assert.deepEqual([late.mostRecent, late.missed], [iso('2024-05-01T10:15:00Z'), 'few']);
  const ancient = mostRecentScheduleTime(cj, iso('2024-05-03T10:17:00Z'), every5, true);
  assert.equal(ancient.missed, 'many');
  const strict = cronJob({ schedule: '*/5 * * * *', startingDeadlineSeconds: 60 });
  assert.equal(mostRecentScheduleTime(strict, iso('2024-05-01T10:17:00Z'), every5, true).mostRecent, undefined, 'past the deadline: nothing to run');
  const ran = cronJob({ schedule: '*/5 * * * *' }, { lastScheduleTime: '2024-05-01T10:15:00Z' });
  assert.equal(mostRecentScheduleTime(ran, iso('2024-05-01T10:17:00Z'), every5, true).mostRecent, undefined);
  assert.equal(nextScheduleDelayMs(ran, iso('2024-05-01T10:17:00Z'), every5), 3 * 60_000 + 100);
});

test('the Job for a scheduled time', () => {
  const cj = cronJob({ schedule: '0 * * * *', timeZone: 'Europe/Paris', jobTemplate: { metadata: { labels: { a: 'b' } }, spec: { backoffLimit: 2 } } });
  const job = newJobFromCronJob(cj, iso('2024-07-01T10:00:00Z'));
  assert.equal(job.metadata.name, `tick-${iso('2024-07-01T10:00:00Z') / 60_000}`);
  assert.equal(job.metadata.name, jobNameFor(cj, iso('2024-07-01T10:00:00Z')));
  assert.equal(job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2024-07-01T12:00:00+02:00');
  assert.deepEqual(job.metadata.labels, { a: 'b' });
  assert.deepEqual(job.spec, { backoffLimit: 2 });
  assert.equal(job.metadata.ownerReferences?.[0].kind, 'CronJob');
});

test('history limits delete the oldest finished Jobs of each kind', () => {
  const finished = (name: string, type: 'Complete' | 'Failed', start: string): Job => ({
    metadata: { name },
    status: { startTime: start, conditions: [{ type, status: 'True' }] },
  });
  const jobs = [
    finished('s1', 'Complete', '2024-01-01T00:01:00Z'),
    finished('s3', 'Complete', '2024-01-01T00:03:00Z'),
    finished('s2', 'Complete', '2024-01-01T00:02:00Z'),
    finished('f1', 'Failed', '2024-01-01T00:01:00Z'),
    finished('f2', 'Failed', '2024-01-01T00:02:00Z'),
    { metadata: { name: 'running' }, status: {} } as Job,
  ];
  const cj = cronJob({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 });
  assert.deepEqual(jobsBeyondHistory(cj, jobs).map((j) => j.metadata.name), ['s1', 's2', 'f1']);
  assert.deepEqual(jobsBeyondHistory(cronJob({}), jobs), [], 'no limits: keep all');
});
