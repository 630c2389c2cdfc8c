import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../objects.js';
import { flushUncounted, sortIndexedPods } from '../job-controller.js';
import { JobPods, newJobPod } from './job-pods.js';
import {
  formatIndexes,
  indexesToCreate,
  isPodFailed,
  JOB_TRACKING_FINALIZER,
  matchPodFailurePolicy,
  parseIndexes,
  pastBackoffLimitOnFailure,
  setCondition,
  successCriteriaMet,
  wantActive,
  type Job,
  type JobStatus,
} from './job-model.js';

function job(spec: Job['spec']): Job {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'work', namespace: 'default', uid: 'job-uid' }, spec };
}

let serial = 0;
function pod(phase: string, extra: { deleting?: boolean; tracked?: boolean; index?: number; ready?: boolean; status?: Record<string, unknown> } = {}): KubeObject {
  serial++;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `work-${serial}`,
      namespace: 'default',
      uid: `pod-${serial}`,
      creationTimestamp: `2024-01-01T00:00:${String(serial % 60).padStart(2, '0')}Z`,
      ...(extra.tracked === false ? {} : { finalizers: [JOB_TRACKING_FINALIZER] }),
      ...(extra.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
      ...(extra.index !== undefined ? { annotations: { 'batch.kubernetes.io/job-completion-index': String(extra.index) } } : {}),
    },
    spec: { containers: [{ name: 'main', image: 'busybox' }] },
    status: { phase, ...(extra.ready ? { conditions: [{ type: 'Ready', status: 'True' }] } : {}), ...(extra.status ?? {}) },
  };
}

test('completed indexes round-trip in the compact form', () => {
  assert.equal(formatIndexes([5, 0, 1, 2, 7, 8, 3]), '0-3,5,7-8');
  assert.equal(formatIndexes([]), '');
  assert.deepEqual([...parseIndexes('0-3,5,7-8', 10)].sort((a, b) => a - b), [0, 1, 2, 3, 5, 7, 8]);
  assert.deepEqual([...parseIndexes('2-9', 4)], [2, 3], 'clipped to completions');
  assert.deepEqual(indexesToCreate(6, new Set([0, 2]), new Set([1]), 2), [3, 4]);
});

test('which pods count as failed', () => {
  const plain = job({});
  assert.equal(isPodFailed(pod('Failed'), plain), true);
  assert.equal(isPodFailed(pod('Running', { deleting: true }), plain), true, 'a deleted pod that never finished counts');
  assert.equal(isPodFailed(pod('Succeeded', { deleting: true }), plain), false);
  const onlyFailed = job({ podReplacementPolicy: 'Failed' });
  assert.equal(isPodFailed(pod('Running', { deleting: true }), onlyFailed), false, 'podReplacementPolicy Failed waits for the phase');
});

test('how many pods should run', () => {
  assert.equal(wantActive(job({ parallelism: 2, completions: 3 }), 0), 2);
  assert.equal(wantActive(job({ parallelism: 2, completions: 3 }), 2), 1);
  assert.equal(wantActive(job({ parallelism: 2, completions: 3 }), 3), 0);
  assert.equal(wantActive(job({ parallelism: 4 }), 0), 4, 'work queue: parallelism until one succeeds');
  assert.equal(wantActive(job({ parallelism: 4 }), 1), 0);
  assert.equal(successCriteriaMet(job({ parallelism: 4 }), 1, 0, 2), false, 'work queue: wait for the others to finish');
  assert.equal(successCriteriaMet(job({ parallelism: 4 }), 1, 0, 0), true);
  assert.equal(successCriteriaMet(job({ completions: 3, completionMode: 'Indexed' }), 5, 2, 0), false);
});

test('restarts of OnFailure pods count against backoffLimit', () => {
  const j = job({ backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure' } } });
  const restarted = (n: number): KubeObject => pod('Running', { status: { containerStatuses: [{ name: 'main', restartCount: n }] } });
  assert.equal(pastBackoffLimitOnFailure(j, [restarted(1)]), false);
  assert.equal(pastBackoffLimitOnFailure(j, [restarted(1), restarted(1)]), true);
  assert.equal(pastBackoffLimitOnFailure(job({ backoffLimit: 2, template: { spec: { restartPolicy: 'Never' } } }), [restarted(5)]), false);
});

test('podFailurePolicy: exit codes and pod conditions, first rule wins', () => {
  const j = job({
    podFailurePolicy: {
      rules: [
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
        { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
        { action: 'Count', onExitCodes: { operator: 'NotIn', values: [42] } },
      ],
    },
  });
  const exited = (code: number, conditions: unknown[] = []): KubeObject =>
    pod('Failed', { status: { conditions, containerStatuses: [{ name: 'main', state: { terminated: { exitCode: code } } }] } });
  const fail = exited(42);
  assert.deepEqual(matchPodFailurePolicy(j, fail), { action: 'FailJob', message: `Container main for pod default/${fail.metadata.name} failed with exit code 42 matching FailJob rule at index 1` });
  assert.equal(matchPodFailurePolicy(j, exited(1))?.action, 'Count');
  assert.equal(matchPodFailurePolicy(j, exited(42, [{ type: 'DisruptionTarget', status: 'True' }]))?.action, 'Ignore');
  assert.equal(matchPodFailurePolicy(j, exited(0)), undefined, 'exit code 0 never matches NotIn');
  assert.equal(matchPodFailurePolicy(j, pod('Running')), undefined, 'only Failed pods');
});

test('JobPods sorts pods into active, terminating and pending accounting as they change', () => {
  const pods = new JobPods();
  const p = pod('Running', { ready: true });
  pods.set('default/a', p);
  assert.equal(pods.active.size, 1);
  assert.equal(pods.readyCount(), 1);
  const done = { ...p, status: { phase: 'Succeeded' } };
  pods.set('default/a', done);
  assert.equal(pods.active.size, 0);
  assert.equal(pods.pending.size, 1, 'finished with the finalizer: to be counted');
  pods.set('default/a', { ...done, metadata: { ...done.metadata, finalizers: [] } });
  assert.equal(pods.pending.size, 0);
  assert.equal(pods.byUid(p.metadata.uid!)?.metadata.name, p.metadata.name);
  pods.set('default/b', pod('Running', { deleting: true }));
  assert.equal(pods.terminating.size, 1);
  assert.equal(pods.pending.size, 1, 'a deleted running pod is pending accounting too');
  pods.set('default/b', undefined);
  assert.equal(pods.terminating.size + pods.pending.size + pods.size, 1);
});

test('uncounted uids move into the counters only once their pods are released or gone', () => {
  const held = pod('Succeeded');
  const released = pod('Succeeded', { tracked: false });
  const pods = new JobPods();
  pods.set('default/held', held);
  pods.set('default/released', released);
  const status: JobStatus = { succeeded: 4, failed: 1, uncountedTerminatedPods: { succeeded: [held.metadata.uid!, released.metadata.uid!], failed: ['gone-uid'] } };
  flushUncounted(status, pods);
  assert.equal(status.succeeded, 5);
  assert.equal(status.failed, 2);
  assert.deepEqual(status.uncountedTerminatedPods, { succeeded: [held.metadata.uid] });
  // A second flush (e.g. after a restart re-reading the same status) counts nothing twice.
  flushUncounted(status, pods);
  assert.equal(status.succeeded, 5);
});

test('Indexed: one pod per index; completed, duplicate and out-of-range indexes are surplus', () => {
  const a = pod('Running', { index: 0, ready: true });
  const b = pod('Running', { index: 0 });
  const c = pod('Running', { index: 1 });
  const d = pod('Running', { index: 9 });
  const { keep, surplus } = sortIndexedPods([a, b, c, d], 3, new Set([1]));
  assert.deepEqual(keep.map((p) => p.metadata.name), [a.metadata.name]);
  assert.deepEqual(surplus.map((p) => p.metadata.name).sort(), [b, c, d].map((p) => p.metadata.name).sort());
});

test('conditions keep their transition time while unchanged', () => {
  const status: JobStatus = {};
  assert.equal(setCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', 't1'), true);
  assert.equal(setCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', 't2'), false);
  assert.equal(setCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', 't3'), true);
  assert.deepEqual(status.conditions, [{ type: 'Suspended', status: 'False', lastProbeTime: 't3', lastTransitionTime: 't3', reason: 'JobResumed', message: 'Job resumed' }]);
});

test('the pod a Job creates', () => {
  const j = job({ completions: 3, completionMode: 'Indexed', template: { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'main', image: 'busybox', env: [{ name: 'A', value: '1' }] }] } } });
  const p = newJobPod(j, 2);
  assert.equal(p.metadata.generateName, 'work-2-');
  assert.deepEqual(p.metadata.finalizers, [JOB_TRACKING_FINALIZER]);
  assert.equal(p.metadata.ownerReferences?.[0].uid, 'job-uid');
  assert.equal(p.metadata.labels?.['batch.kubernetes.io/job-completion-index'], '2');
  const spec = p.spec as { hostname: string; containers: { env: { name: string }[] }[] };
  assert.equal(spec.hostname, 'work-2');
  assert.deepEqual(spec.containers[0].env.map((e) => e.name), ['A', 'JOB_COMPLETION_INDEX']);
  assert.equal(newJobPod(job({ template: { spec: {} } }), undefined).metadata.generateName, 'work-');
});
