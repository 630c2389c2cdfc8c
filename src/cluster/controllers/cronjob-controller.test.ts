import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../objects.js';
import { CronJobController } from './cronjob-controller.js';
import { JobController } from './job-controller.js';
import type { CronJob } from './batch/cronjob-model.js';
import { eventually, startHarness, type Harness } from './stateful/test-harness.js';

const BATCH = 'batch/v1';
const MINUTE = 60_000;

/** A clock the test moves: real time plus an offset that only grows. */
class DrivenClock {
  private offset = 0;
  now = (): Date => new Date(Date.now() + this.offset);
  /** Moves the clock to `leadMs` before `boundary` (which must be ahead). */
  toJustBefore(boundary: number, leadMs = 250): void {
    const t = this.now().getTime();
    assert.ok(boundary - leadMs > t, 'the driven clock only moves forward');
    this.offset += boundary - leadMs - t;
  }
  /** The next whole minute at least `leadMs` ahead (optionally with a given UTC minute). */
  nextBoundary(leadMs = 250, utcMinute?: number): number {
    let boundary = Math.ceil((this.now().getTime() + leadMs + 1) / MINUTE) * MINUTE;
    while (utcMinute !== undefined && new Date(boundary).getUTCMinutes() !== utcMinute) boundary += MINUTE;
    return boundary;
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

function cronJob(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: BATCH,
    kind: 'CronJob',
    metadata: { name },
    spec: {
      schedule: '* * * * *',
      ...spec,
      jobTemplate: { metadata: { labels: { app: name } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } } },
    },
  };
}

function jobsOf(h: Harness, cj: string): KubeObject[] {
  return h.list(BATCH, 'jobs').filter((j) => j.metadata.ownerReferences?.some((r) => r.kind === 'CronJob' && r.name === cj) && !j.metadata.deletionTimestamp);
}

function eventsFor(h: Harness, name: string, reason: string): KubeObject[] {
  return h.events(reason).filter((e) => (e.involvedObject as { name: string }).name === name);
}

describe('CronJobController', () => {
  let h: Harness;
  let cronJobs: CronJobController;
  // Each test gets a fresh clock (starting at real time, as the API server stamps creationTimestamp)
  // and its own controller, so one test's jumps in time cannot make another's CronJobs late.
  let clock: DrivenClock;

  before(async () => {
    h = await startHarness();
    const jobs = new JobController(h.store, h.registry, h.service, h.onError, h.recorder, { podFailureBackoff: { baseMs: 10, maxMs: 50 } });
    jobs.start();
    h.track(jobs);
  });

  beforeEach(async () => {
    // Start clear of a minute boundary, so a CronJob created now has no scheduled time behind it.
    const t = Date.now();
    const boundary = Math.ceil((t + 1) / MINUTE) * MINUTE;
    if (boundary - t < 500) await new Promise((r) => setTimeout(r, boundary - t + 20));
    clock = new DrivenClock();
    cronJobs = new CronJobController(h.store, h.registry, h.service, h.onError, h.recorder, { now: clock.now });
    cronJobs.start();
  });

  afterEach(() => {
    cronJobs.stop();
  });

  after(async () => {
    await h.dispose();
  });

  /** Moves to just before the next minute (or the next one at `utcMinute`) and tells the controller; returns that minute. */
  function nextMinute(utcMinute?: number): number {
    const minute = clock.nextBoundary(250, utcMinute);
    clock.toJustBefore(minute);
    cronJobs.resync();
    return minute;
  }

  test('creates the Job at the scheduled minute (woken by its timer), named by the minute, annotated and owned', async () => {
    h.kubelet.fate = () => 'Running';
    const minute = clock.nextBoundary(300);
    clock.toJustBefore(minute, 300);
    let createdAt: number | undefined;
    const { stop } = h.store.watch('batch/jobs', h.store.resourceVersion, (e) => {
      if (e.type === 'ADDED' && e.object.obj.metadata.name?.startsWith('tick-')) createdAt ??= clock.now().getTime();
    });
    await h.create(BATCH, 'cronjobs', cronJob('tick', {}));
    const [job] = await eventually('a Job', () => (createdAt !== undefined && jobsOf(h, 'tick').length === 1 ? jobsOf(h, 'tick') : undefined), 2_000);
    stop();
    assert.ok(createdAt !== undefined && createdAt >= minute, `not before the scheduled minute (${createdAt! - minute} ms)`);
    assert.equal(job.metadata.name, `tick-${minute / MINUTE}`);
    assert.equal(job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], new Date(minute).toISOString().replace('.000Z', 'Z'));
    assert.equal(job.metadata.labels?.app, 'tick');
    assert.equal(job.metadata.ownerReferences?.[0].controller, true);
    const cj = await eventually('status', () => {
      const c = h.get(BATCH, 'cronjobs', 'tick') as CronJob;
      return c.status?.active?.length === 1 ? c : undefined;
    });
    assert.equal(cj.status?.active?.[0].name, job.metadata.name);
    assert.equal(cj.status?.active?.[0].uid, job.metadata.uid);
    assert.equal(cj.status?.lastScheduleTime, new Date(minute).toISOString().replace('.000Z', 'Z'));
    assert.equal(eventsFor(h, 'tick', 'SuccessfulCreate').length, 1);
    await h.remove(BATCH, 'cronjobs', 'tick');
  });

  test('Forbid: no second Job while the first runs', async () => {
    h.kubelet.fate = () => 'Running';
    await h.create(BATCH, 'cronjobs', cronJob('forbid', { concurrencyPolicy: 'Forbid' }));
    nextMinute();
    await eventually('first Job', () => jobsOf(h, 'forbid').length === 1, 2_000);
    nextMinute();
    await eventually('JobAlreadyActive', () => eventsFor(h, 'forbid', 'JobAlreadyActive').length > 0, 2_000);
    assert.equal(jobsOf(h, 'forbid').length, 1);
    await h.remove(BATCH, 'cronjobs', 'forbid');
  });

  test('Replace: the running Job is deleted and a new one created', async () => {
    h.kubelet.fate = () => 'Running';
    await h.create(BATCH, 'cronjobs', cronJob('replace', { concurrencyPolicy: 'Replace' }));
    nextMinute();
    const [first] = await eventually('first Job', () => (jobsOf(h, 'replace').length === 1 ? jobsOf(h, 'replace') : undefined), 2_000);
    const second = nextMinute();
    await eventually('replaced', () => {
      const jobs = jobsOf(h, 'replace');
      return jobs.length === 1 && jobs[0].metadata.name === `replace-${second / MINUTE}`;
    }, 2_000);
    assert.equal(h.get(BATCH, 'jobs', first.metadata.name!), undefined);
    assert.equal(eventsFor(h, 'replace', 'SuccessfulDelete').length, 1);
    await eventually('status.active names the new Job', () => {
      const cj = h.get(BATCH, 'cronjobs', 'replace') as CronJob;
      return JSON.stringify(cj.status?.active?.map((r) => r.name)) === JSON.stringify([`replace-${second / MINUTE}`]);
    });
    await h.remove(BATCH, 'cronjobs', 'replace');
  });

  test('history limits keep the newest finished Jobs; lastSuccessfulTime follows completions', async () => {
    h.kubelet.fate = () => 'Succeeded';
    await h.create(BATCH, 'cronjobs', cronJob('history', { successfulJobsHistoryLimit: 1 }));
    let last = 0;
    for (let i = 0; i < 3; i++) {
      last = nextMinute();
      await eventually(`Job ${i + 1} complete`, () => {
        const cj = h.get(BATCH, 'cronjobs', 'history') as CronJob;
        return cj.status?.lastScheduleTime === new Date(last).toISOString().replace('.000Z', 'Z') && !cj.status.active?.length && cj.status.lastSuccessfulTime;
      }, 3_000);
    }
    await eventually('only the newest Job remains', () => {
      const jobs = jobsOf(h, 'history');
      return jobs.length === 1 && jobs[0].metadata.name === `history-${last / MINUTE}`;
    });
    assert.equal(eventsFor(h, 'history', 'SawCompletedJob').length, 3);
    assert.ok(eventsFor(h, 'history', 'SuccessfulDelete').length >= 2);
    assert.match(eventsFor(h, 'history', 'SawCompletedJob')[0].message as string, /^Saw completed job: history-\d+, condition: Complete$/);
    await h.remove(BATCH, 'cronjobs', 'history');
  });

  test('spec.timeZone: the schedule runs on local time and the annotation carries the zone', async () => {
    h.kubelet.fate = () => 'Running';
    // In Asia/Kolkata (+05:30) minute 0 of each hour falls on minute 30 UTC.
    await h.create(BATCH, 'cronjobs', cronJob('kolkata', { schedule: '0 * * * *', timeZone: 'Asia/Kolkata' }));
    let early = clock.nextBoundary();
    if (new Date(early).getUTCMinutes() === 30) early += MINUTE;
    clock.toJustBefore(early);
    cronJobs.resync();
    await new Promise((r) => setTimeout(r, 400));
    assert.notEqual(new Date(early).getUTCMinutes(), 30);
    assert.equal(jobsOf(h, 'kolkata').length, 0, 'nothing at a minute that is not :00 in Kolkata');
    const minute = nextMinute(30);
    const [job] = await eventually('a Job', () => (jobsOf(h, 'kolkata').length === 1 ? jobsOf(h, 'kolkata') : undefined), 2_000);
    const local = new Date(minute + 5.5 * 3_600_000).toISOString().replace('.000Z', '+05:30');
    assert.equal(job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], local);
    assert.match(local, /T\d\d:00:00\+05:30$/);
    await h.remove(BATCH, 'cronjobs', 'kolkata');
  });

  test('suspend, and a start missed by more than startingDeadlineSeconds, start nothing', async () => {
    h.kubelet.fate = () => 'Running';
    await h.create(BATCH, 'cronjobs', cronJob('paused', { suspend: true }));
    await h.create(BATCH, 'cronjobs', cronJob('strict', { startingDeadlineSeconds: 10 }));
    await h.create(BATCH, 'cronjobs', cronJob('lenient', {}));
    // The controller sleeps through a minute and wakes half a minute late.
    const minute = clock.nextBoundary();
    clock.advance(minute + 30_000 - clock.now().getTime());
    cronJobs.resync();
    await eventually('the lenient CronJob starts late', () => jobsOf(h, 'lenient').length === 1, 2_000);
    assert.equal(jobsOf(h, 'lenient')[0].metadata.name, `lenient-${minute / MINUTE}`);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(jobsOf(h, 'strict').length, 0, 'past its starting deadline');
    assert.equal(jobsOf(h, 'paused').length, 0, 'suspended');
    // Resumed, it starts the minute it missed at once (no deadline), as Kubernetes does.
    await h.patch(BATCH, 'cronjobs', 'paused', { spec: { suspend: false } });
    await eventually('the resumed CronJob catches up', () => jobsOf(h, 'paused').length === 1, 2_000);
    assert.equal(jobsOf(h, 'paused')[0].metadata.name, `paused-${minute / MINUTE}`);
    const following = nextMinute();
    await eventually('the strict CronJob runs at the next minute', () => jobsOf(h, 'strict').length === 1, 2_000);
    assert.equal(jobsOf(h, 'strict')[0].metadata.name, `strict-${following / MINUTE}`);
    assert.deepEqual(h.errors, []);
  });
});
