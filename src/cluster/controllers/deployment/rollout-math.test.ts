import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../objects.js';
import {
  findActiveOrLatest,
  isSaturated,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  planOldScaleDown,
  planScale,
  resolveFenceposts,
  scaledValue,
} from './rollout-math.js';

function dep(replicas: number, surge: number | string = '25%', unavailable: number | string = '25%', extra: Record<string, unknown> = {}): KubeObject {
  return {
    metadata: { name: 'd', generation: 1 },
    spec: { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } }, ...extra },
  };
}

let clock = 0;
/** A ReplicaSet; later calls are newer. */
function rs(name: string, replicas: number, status: { replicas?: number; availableReplicas?: number } = {}, annotations: Record<string, string> = {}): KubeObject {
  clock += 1000;
  return {
    metadata: { name, creationTimestamp: new Date(Date.UTC(2024, 0, 1) + clock).toISOString(), annotations },
    spec: { replicas },
    status: { replicas: status.replicas ?? replicas, availableReplicas: status.availableReplicas ?? status.replicas ?? replicas },
  };
}

const sizes = (targets: { rs: KubeObject; replicas: number }[]): Record<string, number> => Object.fromEntries(targets.map((t) => [t.rs.metadata.name!, t.replicas]));

describe('maxSurge / maxUnavailable resolution', () => {
  test('percentages: surge rounds up, unavailable rounds down', () => {
    assert.deepEqual(resolveFenceposts('25%', '25%', 3), [1, 0]);
    assert.deepEqual(resolveFenceposts('25%', '25%', 4), [1, 1]);
    assert.deepEqual(resolveFenceposts('25%', '25%', 10), [3, 2]);
    assert.deepEqual(resolveFenceposts('50%', '10%', 5), [3, 0]);
    assert.deepEqual(resolveFenceposts(2, '100%', 7), [2, 7]);
  });

  test('both resolving to zero lets one pod be unavailable, so the rollout can move', () => {
    assert.deepEqual(resolveFenceposts('10%', '10%', 1).join(), '1,0');
    assert.deepEqual(resolveFenceposts(0, '10%', 5), [0, 1]);
    assert.deepEqual(resolveFenceposts(undefined, undefined, 5), [0, 1]);
  });

  test('a malformed value is an error naming the field', () => {
    assert.throws(() => scaledValue('25', 4, true, 'spec.strategy.rollingUpdate.maxSurge'), /^Error: spec\.strategy\.rollingUpdate\.maxSurge: invalid value for IntOrString: invalid type: string is not a percentage$/);
    assert.throws(() => scaledValue('2.5%', 4, false, 'spec.strategy.rollingUpdate.maxUnavailable'), /maxUnavailable: invalid value "2\.5%"/);
  });

  test('per Deployment: Recreate has neither, maxUnavailable never exceeds replicas', () => {
    assert.equal(maxSurge(dep(10)), 3);
    assert.equal(maxUnavailable(dep(10)), 2);
    assert.equal(maxUnavailable(dep(3, 1, 5)), 3);
    assert.equal(maxUnavailable(dep(0)), 0);
    const recreate: KubeObject = { metadata: {}, spec: { replicas: 4, strategy: { type: 'Recreate' } } };
    assert.equal(maxSurge(recreate), 0);
    assert.equal(maxUnavailable(recreate), 0);
  });
});

describe('how far the new ReplicaSet grows', () => {
  test('up to replicas + maxSurge pods in all', () => {
    const d = dep(3);
    assert.equal(newRSNewReplicas(d, [rs('old', 3), rs('new', 0)], rs('new', 0)), 1);
    const fresh = rs('new', 0);
    assert.equal(newRSNewReplicas(d, [fresh], fresh), 3, 'a first rollout starts at full size');
  });

  test('never beyond spec.replicas, never while the surge is used up', () => {
    const d = dep(10, 3, 2);
    const n = rs('new', 9);
    assert.equal(newRSNewReplicas(d, [rs('old', 1), n], n), 10);
    const full = rs('new', 5);
    assert.equal(newRSNewReplicas(d, [rs('old', 8), full], full), 5);
  });

  test('pods of an old ReplicaSet that were scaled down but still exist count against the surge', () => {
    const d = dep(3);
    const n = rs('new', 1, { replicas: 1, availableReplicas: 1 });
    // Old set asked to go from 3 to 2, its controller has not removed the pod yet.
    assert.equal(newRSNewReplicas(d, [rs('old', 2, { replicas: 3 }), n], n), 1);
    assert.equal(newRSNewReplicas(d, [rs('old', 2, { replicas: 2 }), n], n), 2);
  });

  test('Recreate goes straight to spec.replicas', () => {
    const d: KubeObject = { metadata: {}, spec: { replicas: 4, strategy: { type: 'Recreate' } } };
    const n = rs('new', 0);
    assert.equal(newRSNewReplicas(d, [n], n), 4);
  });
});

describe('how far old ReplicaSets shrink', () => {
  test('only as far as available pods allow (replicas - maxUnavailable stay available)', () => {
    const d = dep(3); // surge 1, unavailable 0
    const old = rs('old', 3);
    assert.deepEqual(planOldScaleDown(d, [old], rs('new', 1, { replicas: 1, availableReplicas: 0 })), []);
    assert.deepEqual(sizes(planOldScaleDown(d, [old], rs('new', 1))), { old: 2 });
  });

  test('unhealthy old replicas go first, without counting against availability', () => {
    const d = dep(4, 1, 1); // min available 3
    const old = rs('old', 4, { replicas: 4, availableReplicas: 2 });
    const n = rs('new', 1, { replicas: 1, availableReplicas: 0 });
    // all 5 - min 3 - new unavailable 1 = 1 may go; it is one of the 2 unhealthy ones.
    assert.deepEqual(sizes(planOldScaleDown(d, [old], n)), { old: 3 });
  });

  test('oldest ReplicaSets shrink first', () => {
    const d = dep(6, 2, 2);
    const oldest = rs('oldest', 2);
    const older = rs('older', 2);
    const n = rs('new', 4);
    // available 8, min 4: 4 may go, oldest first.
    assert.deepEqual(sizes(planOldScaleDown(d, [older, oldest], n)), { oldest: 0, older: 0 });
    assert.deepEqual(sizes(planOldScaleDown(d, [older, oldest], rs('new', 4, { replicas: 4, availableReplicas: 1 }))), { oldest: 1 });
  });

  test('availability reported above spec (a scale-down in flight) is not counted twice', () => {
    const d = dep(3);
    const old = rs('old', 2, { replicas: 3, availableReplicas: 3 });
    const n = rs('new', 2, { replicas: 2, availableReplicas: 1 });
    assert.deepEqual(planOldScaleDown(d, [old], n), []);
  });
});

describe('proportional scaling', () => {
  test("Kubernetes' documented example: 10 → 15 mid-rollout adds 3 to the old and 2 to the new set", () => {
    const d = dep(15, 3, 2);
    const old = rs('old', 8, {}, { 'deployment.kubernetes.io/max-replicas': '13', 'deployment.kubernetes.io/desired-replicas': '10' });
    const n = rs('new', 5, { replicas: 5, availableReplicas: 0 }, { 'deployment.kubernetes.io/max-replicas': '13', 'deployment.kubernetes.io/desired-replicas': '10' });
    const plan = planScale(d, n, [old]);
    assert.deepEqual(sizes(plan.targets), { old: 11, new: 7 });
    assert.equal(plan.alwaysSyncAnnotations, true);
  });

  test('scaling down takes from the biggest, leftovers go to the largest set', () => {
    const d = dep(5, 3, 2);
    const ann = { 'deployment.kubernetes.io/max-replicas': '13' };
    const plan = planScale(d, rs('new', 5, { availableReplicas: 0 }, ann), [rs('old', 8, {}, ann)]);
    // allowed 5 + maxSurge 3 = 8, down from 13: old 8*8/13 = 4.9 → 5, new 5*8/13 = 3.07 → 3.
    assert.deepEqual(sizes(plan.targets), { old: 5, new: 3 });
  });

  test('to zero, every active set goes to zero', () => {
    const ann = { 'deployment.kubernetes.io/max-replicas': '13' };
    assert.deepEqual(sizes(planScale(dep(0, 3, 2), rs('new', 5, { availableReplicas: 0 }, ann), [rs('old', 8, {}, ann)]).targets), { old: 0, new: 0 });
  });

  test('a single active ReplicaSet simply takes the new size', () => {
    const only = rs('only', 3);
    assert.deepEqual(sizes(planScale(dep(5), undefined, [only, rs('idle', 0)]).targets), { only: 5 });
    assert.deepEqual(sizes(planScale(dep(3), only, []).targets), { only: 3 }, 'same size: only stale annotations would be written');
    assert.equal(findActiveOrLatest(undefined, [rs('a', 0), rs('b', 0)])?.metadata.name, 'b', 'with none active, the newest');
  });

  test('a saturated new ReplicaSet means every old one goes to zero', () => {
    const n = rs('new', 3, {}, { 'deployment.kubernetes.io/desired-replicas': '3' });
    assert.equal(isSaturated(dep(3), n), true);
    assert.deepEqual(sizes(planScale(dep(3), n, [rs('old', 1), rs('older', 1)]).targets), { old: 0, older: 0 });
    assert.equal(isSaturated(dep(3), rs('x', 3, { availableReplicas: 2 }, { 'deployment.kubernetes.io/desired-replicas': '3' })), false);
  });
});
