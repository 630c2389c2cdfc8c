import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../objects.js';
import { JobController } from './job-controller.js';
import { JOB_TRACKING_FINALIZER, type Job } from './batch/job-model.js';
import { eventually, startHarness, type Harness } from './stateful/test-harness.js';
import { isPodActive } from './workload-kit.js';

const BATCH = 'batch/v1';

function job(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: BATCH,
    kind: 'Job',
    metadata: { name },
    spec: {
      ...spec,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } },
    },
  };
}

function condition(j: KubeObject | undefined, type: string): { status: string; reason?: string; message?: string } | undefined {
  return ((j as Job | undefined)?.status?.conditions ?? []).find((c) => c.type === type);
}

function podsOf(h: Harness, jobName: string): KubeObject[] {
  return h.list('v1', 'pods').filter((p) => p.metadata.labels?.['batch.kubernetes.io/job-name'] === jobName);
}

describe('JobController', () => {
  let h: Harness;
  let controller: JobController;

  before(async () => {
    h = await startHarness();
    controller = new JobController(h.store, h.registry, h.service, h.onError, h.recorder, { podFailureBackoff: { baseMs: 10, maxMs: 50 } });
    controller.start();
    h.track(controller);
  });

  after(async () => {
    await h.dispose();
  });

  test('completions 3, parallelism 2: never more than 2 active, ends Complete with succeeded 3', async () => {
    let maxActive = 0;
    let maxStatusActive = 0;
    const { stop } = h.store.watch('*', h.store.resourceVersion, () => {
      maxActive = Math.max(maxActive, podsOf(h, 'pair').filter(isPodActive).length);
      maxStatusActive = Math.max(maxStatusActive, (h.get(BATCH, 'jobs', 'pair') as Job | undefined)?.status?.active ?? 0);
    });
    h.kubelet.fate = () => 'Succeeded';
    await h.create(BATCH, 'jobs', job('pair', { completions: 3, parallelism: 2 }));
    const done = await eventually('Complete', () => {
      const j = h.get(BATCH, 'jobs', 'pair');
      return condition(j, 'Complete')?.status === 'True' ? (j as Job) : undefined;
    });
    stop();
    assert.equal(done.status?.succeeded, 3);
    assert.equal(done.status?.failed, undefined);
    assert.equal(done.status?.active, undefined);
    assert.deepEqual(done.status?.uncountedTerminatedPods, {});
    assert.equal(condition(done, 'SuccessCriteriaMet')?.reason, 'CompletionsReached');
    assert.equal(condition(done, 'Complete')?.message, 'Reached expected number of succeeded pods');
    assert.ok(done.status?.completionTime && done.status.startTime);
    assert.ok(maxActive <= 2 && maxActive > 0, `at most 2 active pods, saw ${maxActive}`);
    assert.ok(maxStatusActive <= 2, `status.active at most 2, saw ${maxStatusActive}`);
    const pods = podsOf(h, 'pair');
    assert.equal(pods.length, 3, 'succeeded pods are kept');
    for (const p of pods) {
      assert.ok(!(p.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER), 'counted pods are released');
      assert.match(p.metadata.name!, /^pair-[a-z0-9]{5}$/);
      assert.equal(p.metadata.ownerReferences?.[0].kind, 'Job');
      assert.equal(p.metadata.labels?.['job-name'], 'pair');
      assert.equal(p.metadata.labels?.['batch.kubernetes.io/controller-uid'], done.metadata.uid);
    }
    await eventually('events', () => h.events('Completed').length === 1 && h.events('SuccessfulCreate').filter((e) => (e.involvedObject as { name: string }).name === 'pair').length === 3);
    assert.deepEqual(h.errors, []);
  });

  test('a failing Job with backoffLimit 1 ends Failed/BackoffLimitExceeded with failed 2', async () => {
    h.kubelet.fate = () => 'Failed';
    await h.create(BATCH, 'jobs', job('fails', { backoffLimit: 1 }));
    const failed = await eventually('Failed', () => {
      const j = h.get(BATCH, 'jobs', 'fails');
      return condition(j, 'Failed')?.status === 'True' ? (j as Job) : undefined;
    });
    assert.equal(failed.status?.failed, 2);
    assert.equal(failed.status?.succeeded, undefined);
    assert.equal(condition(failed, 'Failed')?.reason, 'BackoffLimitExceeded');
    assert.equal(condition(failed, 'Failed')?.message, 'Job has reached the specified backoff limit');
    assert.equal(condition(failed, 'FailureTarget')?.reason, 'BackoffLimitExceeded');
    assert.equal(failed.status?.completionTime, undefined);
    // Give a wrongly running controller time to create a third pod.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(podsOf(h, 'fails').length, 2);
    await eventually('warning event', () => h.events('BackoffLimitExceeded').length === 1);
  });

  test('activeDeadlineSeconds fails the Job with DeadlineExceeded and deletes its pods', async () => {
    h.kubelet.fate = () => 'Ready';
    await h.create(BATCH, 'jobs', job('slow', { activeDeadlineSeconds: 1, parallelism: 2, completions: 4 }));
    const failed = await eventually(
      'Failed',
      () => {
        const j = h.get(BATCH, 'jobs', 'slow');
        return condition(j, 'Failed')?.status === 'True' ? (j as Job) : undefined;
      },
      8_000,
    );
    assert.equal(condition(failed, 'Failed')?.reason, 'DeadlineExceeded');
    assert.equal(condition(failed, 'Failed')?.message, 'Job was active longer than specified deadline');
    assert.equal(failed.status?.failed, 2, 'pods terminated at the deadline count as failed');
    assert.equal(failed.status?.active, undefined);
    assert.equal(failed.status?.terminating, 0);
    await eventually('pods gone', () => podsOf(h, 'slow').length === 0);
    await eventually('DeadlineExceeded event', () => h.events('DeadlineExceeded').length === 1);
  });

  test('ttlSecondsAfterFinished deletes the finished Job and, through the garbage collector, its pods', async () => {
    h.kubelet.fate = () => 'Succeeded';
    await h.create(BATCH, 'jobs', job('short-lived', { ttlSecondsAfterFinished: 0 }));
    await eventually('Job deleted', () => h.get(BATCH, 'jobs', 'short-lived') === undefined);
    await eventually('pods deleted', () => podsOf(h, 'short-lived').length === 0);
  });

  test('Indexed: one pod per index with its index as annotation, label, hostname and env; completedIndexes', async () => {
    const seen: KubeObject[] = [];
    h.kubelet.fate = (pod) => {
      if (pod.metadata.labels?.['job-name'] === 'indexed' && !seen.some((p) => p.metadata.uid === pod.metadata.uid)) seen.push(pod);
      return 'Succeeded';
    };
    await h.create(BATCH, 'jobs', job('indexed', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
    const done = await eventually('Complete', () => {
      const j = h.get(BATCH, 'jobs', 'indexed');
      return condition(j, 'Complete')?.status === 'True' ? (j as Job) : undefined;
    });
    assert.equal(done.status?.completedIndexes, '0-2');
    assert.equal(done.status?.succeeded, 3);
    const indexes = seen.map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']).sort();
    assert.deepEqual(indexes, ['0', '1', '2']);
    for (const p of seen) {
      const index = p.metadata.labels?.['batch.kubernetes.io/job-completion-index'];
      const spec = p.spec as { hostname?: string; containers: { env?: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[] }[] };
      assert.equal(spec.hostname, `indexed-${index}`);
      assert.match(p.metadata.name!, new RegExp(`^indexed-${index}-[a-z0-9]{5}$`));
      const env = spec.containers[0].env?.find((e) => e.name === 'JOB_COMPLETION_INDEX');
      assert.equal(env?.valueFrom?.fieldRef?.fieldPath, "metadata.annotations['batch.kubernetes.io/job-completion-index']");
    }
  });

  test('podFailurePolicy FailJob fails at once with the rule in the message', async () => {
    h.kubelet.fate = () => 'Failed';
    const spec = { backoffLimit: 5, podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [1] } }] } };
    await h.create(BATCH, 'jobs', job('policy', spec));
    const failed = await eventually('Failed', () => {
      const j = h.get(BATCH, 'jobs', 'policy');
      return condition(j, 'Failed')?.status === 'True' ? (j as Job) : undefined;
    });
    assert.equal(condition(failed, 'Failed')?.reason, 'PodFailurePolicy');
    assert.match(condition(failed, 'Failed')?.message ?? '', /^Container main for pod default\/policy-[a-z0-9]{5} failed with exit code 1 matching FailJob rule at index 0$/);
    assert.equal(failed.status?.failed, 1);
  });

  test('suspend creates no pods; resuming starts them', async () => {
    h.kubelet.fate = () => 'Running';
    await h.create(BATCH, 'jobs', job('paused', { suspend: true, parallelism: 2, completions: 2 }));
    await eventually('Suspended condition', () => condition(h.get(BATCH, 'jobs', 'paused'), 'Suspended')?.status === 'True');
    assert.equal(podsOf(h, 'paused').length, 0);
    assert.equal((h.get(BATCH, 'jobs', 'paused') as Job).status?.startTime, undefined);
    await h.patch(BATCH, 'jobs', 'paused', { spec: { suspend: false } });
    await eventually('two pods', () => podsOf(h, 'paused').filter(isPodActive).length === 2);
    const resumed = await eventually('resumed', () => {
      const j = h.get(BATCH, 'jobs', 'paused') as Job;
      return condition(j, 'Suspended')?.status === 'False' ? j : undefined;
    });
    assert.equal(condition(resumed, 'Suspended')?.reason, 'JobResumed');
    // Suspending again deletes the pods without counting them as failures.
    await h.patch(BATCH, 'jobs', 'paused', { spec: { suspend: true } });
    await eventually('pods gone', () => podsOf(h, 'paused').length === 0);
    await eventually('suspended again', () => {
      const j = h.get(BATCH, 'jobs', 'paused') as Job;
      return condition(j, 'Suspended')?.status === 'True' && j.status?.active === undefined && j.status?.terminating === 0;
    });
    await new Promise((r) => setTimeout(r, 100));
    const again = h.get(BATCH, 'jobs', 'paused') as Job;
    assert.equal(again.status?.failed, undefined, 'pods removed by suspension are not failures');
    assert.deepEqual(again.status?.uncountedTerminatedPods, {});
  });

  test('counts stay exact across a controller restart while pods finish and are deleted', async () => {
    h.kubelet.fate = () => 'Running';
    await h.create(BATCH, 'jobs', job('restart', { completions: 2, parallelism: 2 }));
    await eventually('two running pods', () => podsOf(h, 'restart').filter((p) => (p.status as { phase?: string } | undefined)?.phase === 'Running').length === 2);
    controller.stop();
    h.kubelet.fate = () => 'Succeeded';
    h.kubelet.pokeAll();
    await eventually('pods succeeded', () => podsOf(h, 'restart').every((p) => (p.status as { phase?: string }).phase === 'Succeeded'));
    const [victim] = podsOf(h, 'restart');
    await h.remove('v1', 'pods', victim.metadata.name!);
    assert.ok(h.get('v1', 'pods', victim.metadata.name!), 'the tracking finalizer keeps an uncounted pod');
    controller = new JobController(h.store, h.registry, h.service, h.onError, h.recorder, { podFailureBackoff: { baseMs: 10, maxMs: 50 } });
    controller.start();
    h.track(controller);
    const done = await eventually('Complete', () => {
      const j = h.get(BATCH, 'jobs', 'restart');
      return condition(j, 'Complete')?.status === 'True' ? (j as Job) : undefined;
    });
    assert.equal(done.status?.succeeded, 2);
    await eventually('the deleted pod goes once counted', () => h.get('v1', 'pods', victim.metadata.name!) === undefined);
  });

  // Throughput is measured by bench/ (kubelet-pods); this checks exact counting at that size.
  test('1,000 completions with parallelism 200 create exactly 1,000 pods', async () => {
    h.kubelet.fate = () => 'Succeeded';
    await h.create(BATCH, 'jobs', job('big', { completions: 1000, parallelism: 200 }));
    const done = await eventually(
      'Complete',
      () => {
        const j = h.get(BATCH, 'jobs', 'big');
        return condition(j, 'Complete')?.status === 'True' ? (j as Job) : undefined;
      },
      120_000,
    );
    assert.equal(done.status?.succeeded, 1000);
    assert.equal(podsOf(h, 'big').length, 1000, 'exactly 1000 pods were created');
    assert.deepEqual(h.errors, []);
  });
});
