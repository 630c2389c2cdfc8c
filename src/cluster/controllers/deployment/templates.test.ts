import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../objects.js';
import { computeHash } from '../workload-kit.js';
import { equalIgnoreHash, findNewReplicaSet, newReplicaSetFor } from './templates.js';

const template = (image: string, extraLabels: Record<string, string> = {}) => ({
  metadata: { labels: { app: 'web', ...extraLabels } },
  spec: { containers: [{ name: 'main', image, ports: [{ containerPort: 80 }] }], restartPolicy: 'Always' },
});

function deployment(image: string, collisionCount?: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid' },
    spec: { replicas: 3, minReadySeconds: 5, selector: { matchLabels: { app: 'web' } }, template: template(image) },
    status: collisionCount === undefined ? {} : { collisionCount },
  };
}

describe('pod-template-hash', () => {
  test('is stable: equal templates hash equally whatever their key order', () => {
    const a = template('nginx:1');
    const b = { spec: { restartPolicy: 'Always', containers: [{ ports: [{ containerPort: 80 }], image: 'nginx:1', name: 'main' }] }, metadata: { labels: { app: 'web' } } };
    assert.equal(computeHash(a), computeHash(b));
    assert.equal(computeHash(a), computeHash(structuredClone(a)));
    assert.match(computeHash(a), /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  });

  test('changes with the template and with the collision count', () => {
    const a = template('nginx:1');
    assert.notEqual(computeHash(a), computeHash(template('nginx:2')));
    assert.notEqual(computeHash(a, 1), computeHash(a));
    assert.notEqual(computeHash(a, 1), computeHash(a, 2));
    assert.equal(computeHash(a, 0), computeHash(a), 'a zero count is no collision');
  });
});

describe('the ReplicaSet of a template', () => {
  test('is named <deployment>-<hash>, with the hash as label and in the selector, owned by the Deployment', () => {
    const d = deployment('nginx:1');
    const hash = computeHash((d.spec as { template: unknown }).template);
    const rs = newReplicaSetFor(d, hash);
    assert.equal(rs.metadata.name, `web-${hash}`);
    assert.deepEqual(rs.metadata.labels, { app: 'web', 'pod-template-hash': hash });
    assert.deepEqual(rs.spec, {
      replicas: 0,
      minReadySeconds: 5,
      selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } },
      template: template('nginx:1', { 'pod-template-hash': hash }),
    });
    assert.deepEqual(rs.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual((d.spec as { template: unknown }).template, template('nginx:1'), 'the Deployment is not modified');
  });

  test('the new ReplicaSet is the (oldest) one whose template equals the Deployment\'s but for the hash label', () => {
    const d = deployment('nginx:1');
    const mk = (name: string, image: string, created: string): KubeObject => ({
      metadata: { name, creationTimestamp: created },
      spec: { template: template(image, { 'pod-template-hash': name }) },
    });
    const list = [mk('b', 'nginx:1', '2024-01-02T00:00:00Z'), mk('x', 'nginx:2', '2024-01-01T00:00:00Z'), mk('a', 'nginx:1', '2024-01-02T00:00:00Z')];
    assert.equal(findNewReplicaSet(d, list)?.metadata.name, 'a');
    assert.equal(findNewReplicaSet(deployment('nginx:3'), list), undefined);
  });

  test('template equality is semantic: absent, null and empty are alike', () => {
    assert.equal(equalIgnoreHash({ metadata: { labels: { app: 'web' }, annotations: {} }, spec: { volumes: [] } }, { metadata: { labels: { app: 'web', 'pod-template-hash': 'x' } }, spec: {} }), true);
    assert.equal(equalIgnoreHash(template('a'), template('b')), false);
  });
});
