import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../objects.js';
import { calculateStatus, msUntilDeadline, rolloutStatus, setCondition, timedOut } from './deployment-status.js';
import type { DeploymentStatus } from './types.js';

const T0 = '2024-01-01T00:00:00Z';
const T1 = '2024-01-01T00:00:30Z';
const ms = (t: string): number => Date.parse(t);

function dep(status: DeploymentStatus = {}, spec: Record<string, unknown> = {}, generation = 2): KubeObject {
  return {
    metadata: { name: 'web', generation },
    spec: { replicas: 3, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }, ...spec },
    status,
  };
}

function rs(name: string, replicas: number, ready: number, available: number, conditions?: unknown[]): KubeObject {
  return { metadata: { name }, spec: { replicas }, status: { replicas, readyReplicas: ready, availableReplicas: available, ...(conditions ? { conditions } : {}) } };
}

describe('Deployment status', () => {
  test('counts are summed over the ReplicaSets; zero counts are omitted as on the wire', () => {
    const s = calculateStatus(dep({ collisionCount: 1 }), [rs('old', 1, 1, 1), rs('new', 3, 2, 1)], rs('new', 3, 2, 1), T0);
    assert.deepEqual({ ...s, conditions: undefined }, { observedGeneration: 2, replicas: 4, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 2, unavailableReplicas: 2, collisionCount: 1, conditions: undefined });
    const empty = calculateStatus(dep({}, { replicas: 0 }), [], undefined, T0);
    assert.deepEqual(Object.keys(empty).sort(), ['conditions', 'observedGeneration']);
  });

  test('Available follows replicas - maxUnavailable', () => {
    const ok = calculateStatus(dep({}, { replicas: 4 }), [rs('a', 4, 3, 3)], undefined, T0).conditions!;
    assert.deepEqual(ok, [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: T0, lastTransitionTime: T0 }]);
    const not = calculateStatus(dep(), [rs('a', 3, 2, 2)], undefined, T0).conditions!;
    assert.equal(not[0].reason, 'MinimumReplicasUnavailable');
    assert.equal(not[0].message, 'Deployment does not have minimum availability.');
  });

  test('setCondition keeps the transition time while the status stays, and ignores an identical reason', () => {
    const s: DeploymentStatus = { conditions: [{ type: 'Progressing', status: 'True', reason: 'A', message: 'a', lastUpdateTime: T0, lastTransitionTime: T0 }] };
    setCondition(s, { type: 'Progressing', status: 'True', reason: 'A', message: 'other', lastUpdateTime: T1, lastTransitionTime: T1 });
    assert.equal(s.conditions![0].message, 'a');
    setCondition(s, { type: 'Progressing', status: 'True', reason: 'B', message: 'b', lastUpdateTime: T1, lastTransitionTime: T1 });
    assert.deepEqual([s.conditions![0].reason, s.conditions![0].lastUpdateTime, s.conditions![0].lastTransitionTime], ['B', T1, T0]);
    setCondition(s, { type: 'Progressing', status: 'False', reason: 'C', message: 'c', lastUpdateTime: T1, lastTransitionTime: T1 });
    assert.equal(s.conditions![0].lastTransitionTime, T1);
  });

  test('a complete rollout is NewReplicaSetAvailable, with the message kubectl describe shows', () => {
    const d = dep({ conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'x', lastUpdateTime: T0, lastTransitionTime: T0 }] });
    const s = rolloutStatus(d, [rs('web-abc', 3, 3, 3)], rs('web-abc', 3, 3, 3), T1, ms(T1));
    const p = s.conditions!.find((c) => c.type === 'Progressing')!;
    assert.deepEqual([p.status, p.reason, p.message, p.lastTransitionTime], ['True', 'NewReplicaSetAvailable', 'ReplicaSet "web-abc" has successfully progressed.', T0]);
  });

  test('progress refreshes lastUpdateTime (ReplicaSetUpdated); none past the deadline is ProgressDeadlineExceeded', () => {
    const progressing = { type: 'Progressing', status: 'True' as const, reason: 'NewReplicaSetCreated', message: 'Created new replica set "web-abc"', lastUpdateTime: T0, lastTransitionTime: T0 };
    const d = dep({ replicas: 3, updatedReplicas: 1, conditions: [progressing] }, { progressDeadlineSeconds: 10 });
    const moved = rolloutStatus(d, [rs('old', 2, 2, 2), rs('web-abc', 2, 0, 0)], rs('web-abc', 2, 0, 0), T1, ms(T1));
    const p = moved.conditions!.find((c) => c.type === 'Progressing')!;
    assert.deepEqual([p.reason, p.message, p.lastUpdateTime, p.lastTransitionTime], ['ReplicaSetUpdated', 'ReplicaSet "web-abc" is progressing.', T1, T0]);

    const still = dep({ replicas: 4, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, conditions: [progressing] }, { progressDeadlineSeconds: 10 });
    const late = rolloutStatus(still, [rs('old', 2, 2, 2), rs('web-abc', 2, 0, 0)], rs('web-abc', 2, 0, 0), T1, ms(T1));
    const t = late.conditions!.find((c) => c.type === 'Progressing')!;
    assert.deepEqual([t.status, t.reason, t.message], ['False', 'ProgressDeadlineExceeded', 'ReplicaSet "web-abc" has timed out progressing.']);
    assert.equal(timedOut(still, still.status as DeploymentStatus, ms(T0) + 9_000), false);
  });

  test('the deadline is re-checked when it passes, not before; not at all once complete or timed out', () => {
    const d = dep({ conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: '', lastUpdateTime: T0, lastTransitionTime: T0 }] }, { progressDeadlineSeconds: 60 });
    assert.equal(msUntilDeadline(d, { replicas: 3, updatedReplicas: 1 }, ms(T1)), 30_000);
    assert.equal(msUntilDeadline(d, { replicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 2 }, ms(T1)), undefined);
    assert.equal(msUntilDeadline(dep({}, { progressDeadlineSeconds: 60 }), {}, ms(T1)), undefined);
  });

  test('a ReplicaSet failure becomes the Deployment\'s ReplicaFailure, and goes with it', () => {
    const failure = { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "web-abc-x" is forbidden: quota', lastTransitionTime: T0 };
    const s = rolloutStatus(dep(), [rs('web-abc', 3, 0, 0, [failure])], rs('web-abc', 3, 0, 0, [failure]), T1, ms(T1));
    assert.deepEqual(s.conditions!.find((c) => c.type === 'ReplicaFailure'), { ...failure, lastUpdateTime: T0 });
    const cleared = rolloutStatus(dep({ conditions: s.conditions }), [rs('web-abc', 3, 0, 0)], rs('web-abc', 3, 0, 0), T1, ms(T1));
    assert.equal(cleared.conditions!.find((c) => c.type === 'ReplicaFailure'), undefined);
  });

  test('without a progress deadline there is no Progressing condition', () => {
    const d = dep({}, { progressDeadlineSeconds: 2147483647 });
    const s = rolloutStatus(d, [rs('a', 3, 3, 3)], rs('a', 3, 3, 3), T1, ms(T1));
    assert.deepEqual(s.conditions!.map((c) => c.type), ['Available']);
  });
});
