import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computePodStatus, containersReadyCondition, initializedCondition, mergeConditions, podPhase, readyCondition } from './pod-status.js';
import type { ContainerState, ContainerStatus, PodSpec } from './types.js';

const T = '2024-05-01T10:00:00Z';

function cs(name: string, state: ContainerState, extra: Partial<ContainerStatus> = {}): ContainerStatus {
  return { name, state, lastState: {}, ready: false, restartCount: 0, image: 'busybox', imageID: '', started: false, ...extra };
}
const running = (name: string, extra: Partial<ContainerStatus> = {}): ContainerStatus => cs(name, { running: { startedAt: T } }, { started: true, ...extra });
const exited = (name: string, exitCode: number): ContainerStatus => cs(name, { terminated: { exitCode, reason: exitCode ? 'Error' : 'Completed', finishedAt: T } });
const waiting = (name: string, reason = 'ContainerCreating'): ContainerStatus => cs(name, { waiting: { reason } });
const crashLooping = (name: string): ContainerStatus => cs(name, { waiting: { reason: 'CrashLoopBackOff' } }, { lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: T } }, restartCount: 3 });

function spec(restartPolicy: PodSpec['restartPolicy'], containers: string[], init: { name: string; sidecar?: boolean }[] = []): PodSpec {
  return {
    restartPolicy,
    containers: containers.map((name) => ({ name })),
    initContainers: init.map((i) => ({ name: i.name, ...(i.sidecar ? { restartPolicy: 'Always' } : {}) })),
  };
}

describe('podPhase (kubelet getPhase)', () => {
  test('waiting containers keep the pod Pending; a running one makes it Running', () => {
    assert.equal(podPhase(spec('Always', ['a']), [], [waiting('a')], false), 'Pending');
    assert.equal(podPhase(spec('Always', ['a', 'b']), [], [running('a'), waiting('b')], false), 'Pending');
    assert.equal(podPhase(spec('Always', ['a', 'b']), [], [running('a'), exited('b', 0)], false), 'Running');
  });

  test('all exited: by restart policy', () => {
    assert.equal(podPhase(spec('Never', ['a', 'b']), [], [exited('a', 0), exited('b', 0)], false), 'Succeeded');
    assert.equal(podPhase(spec('Never', ['a', 'b']), [], [exited('a', 0), exited('b', 2)], false), 'Failed');
    assert.equal(podPhase(spec('OnFailure', ['a']), [], [exited('a', 2)], false), 'Running');
    assert.equal(podPhase(spec('OnFailure', ['a']), [], [exited('a', 0)], false), 'Succeeded');
    assert.equal(podPhase(spec('Always', ['a']), [], [exited('a', 0)], false), 'Running');
    assert.equal(podPhase(spec('Always', ['a']), [], [crashLooping('a')], false), 'Running');
    assert.equal(podPhase(spec('Always', ['a']), [], [exited('a', 1)], true), 'Failed');
  });

  test('init containers: pending while they run, Failed on failure under Never', () => {
    const s = spec('Never', ['a'], [{ name: 'i1' }, { name: 'i2' }]);
    assert.equal(podPhase(s, [exited('i1', 0), running('i2')], [waiting('a', 'PodInitializing')], false), 'Pending');
    assert.equal(podPhase(s, [exited('i1', 1), waiting('i2', 'PodInitializing')], [waiting('a', 'PodInitializing')], false), 'Failed');
    const always = spec('Always', ['a'], [{ name: 'i1' }]);
    assert.equal(podPhase(always, [crashLooping('i1')], [waiting('a', 'PodInitializing')], false), 'Pending');
  });

  test('sidecars: pending until started, ignored once regular containers finish', () => {
    const s = spec('Never', ['a'], [{ name: 'proxy', sidecar: true }]);
    assert.equal(podPhase(s, [running('proxy', { started: false })], [waiting('a', 'PodInitializing')], false), 'Pending');
    assert.equal(podPhase(s, [running('proxy')], [running('a')], false), 'Running');
    assert.equal(podPhase(s, [exited('proxy', 137)], [exited('a', 0)], true), 'Succeeded');
  });
});

describe('conditions', () => {
  test('Initialized names the incomplete init containers', () => {
    const s = spec('Always', ['a'], [{ name: 'i1' }, { name: 'proxy', sidecar: true }]);
    const c = initializedCondition(s, [exited('i1', 0), running('proxy', { started: false })], [waiting('a', 'PodInitializing')], 'Pending');
    assert.deepEqual(c, { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [proxy]' });
    assert.equal(initializedCondition(s, [exited('i1', 0), running('proxy')], [waiting('a')], 'Pending').status, 'True');
    assert.equal(initializedCondition(spec('Always', ['a']), [], [waiting('a')], 'Pending').status, 'True');
  });

  test('ContainersReady and Ready list unready containers (sidecars included) and follow the phase', () => {
    const s = spec('Always', ['a', 'b'], [{ name: 'proxy', sidecar: true }]);
    const c = containersReadyCondition(s, [running('proxy', { ready: false })], [running('a', { ready: true }), running('b')], 'Running');
    assert.deepEqual(c, { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [proxy b]' });
    assert.deepEqual(readyCondition(c, [], []), { ...c, type: 'Ready' });
    const ok = containersReadyCondition(s, [running('proxy', { ready: true })], [running('a', { ready: true }), running('b', { ready: true })], 'Running');
    assert.equal(ok.status, 'True');
    assert.deepEqual(containersReadyCondition(spec('Never', ['a']), [], [exited('a', 0)], 'Succeeded'), { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' });
    assert.equal(containersReadyCondition(spec('Never', ['a']), [], [exited('a', 1)], 'Failed').reason, 'PodFailed');
  });

  test('readiness gates hold Ready back until their conditions are True', () => {
    const ready = { type: 'ContainersReady', status: 'True' as const };
    assert.deepEqual(readyCondition(ready, ['example.com/lb'], []), {
      type: 'Ready',
      status: 'False',
      reason: 'ReadinessGatesNotReady',
      message: 'corresponding condition of pod readiness gate "example.com/lb" does not exist.',
    });
    const gate = { type: 'example.com/lb', status: 'True' as const, lastProbeTime: null, lastTransitionTime: T };
    assert.equal(readyCondition(ready, ['example.com/lb'], [gate]).status, 'True');
  });

  test('lastTransitionTime changes only with the status; foreign conditions are kept', () => {
    const existing = [
      { type: 'Ready', status: 'False' as const, lastProbeTime: null, lastTransitionTime: T },
      { type: 'PodScheduled', status: 'True' as const, lastProbeTime: null, lastTransitionTime: T },
      { type: 'DisruptionTarget', status: 'True' as const, lastProbeTime: null, lastTransitionTime: T },
    ];
    const out = mergeConditions(existing, [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }], 'NOW');
    assert.deepEqual(
      out.map((c) => [c.type, c.lastTransitionTime]),
      [
        ['Ready', 'NOW'],
        ['PodScheduled', T],
        ['DisruptionTarget', T],
      ],
    );
  });
});

describe('computePodStatus', () => {
  test('the whole status in Kubernetes order, with addresses and a forced phase', () => {
    const s = spec('Always', ['a']);
    const status = computePodStatus({
      spec: s,
      existing: { phase: 'Pending', qosClass: 'BestEffort' },
      initStatuses: [],
      statuses: [running('a', { ready: true })],
      sandboxReady: true,
      podIsTerminal: false,
      podIP: '10.0.0.5',
      hostIP: '10.0.0.1',
      startTime: T,
      now: T,
      readinessGates: [],
    });
    assert.equal(status.phase, 'Running');
    assert.equal(status.qosClass, 'BestEffort');
    assert.deepEqual(status.conditions!.map((c) => `${c.type}=${c.status}`), ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
    assert.deepEqual(status.podIPs, [{ ip: '10.0.0.5' }]);
    assert.deepEqual(status.hostIPs, [{ ip: '10.0.0.1' }]);
    assert.equal('initContainerStatuses' in status, false);
    const failed = computePodStatus({
      spec: s,
      existing: status,
      initStatuses: [],
      statuses: [exited('a', 137)],
      sandboxReady: false,
      sandboxProblem: { reason: 'FailedMount', message: 'MountVolume.SetUp failed for volume "x" : nope' },
      podIsTerminal: true,
      forcedPhase: { phase: 'Failed', reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' },
      hostIP: '10.0.0.1',
      startTime: T,
      now: 'LATER',
      readinessGates: [],
    });
    assert.equal(failed.phase, 'Failed');
    assert.equal(failed.reason, 'DeadlineExceeded');
    assert.equal(failed.podIP, '10.0.0.5');
    const ready = failed.conditions!.find((c) => c.type === 'PodReadyToStartContainers')!;
    assert.deepEqual([ready.status, ready.reason, ready.lastTransitionTime], ['False', 'FailedMount', 'LATER']);
  });
});
