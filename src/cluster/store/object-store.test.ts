import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ObjectStore, type StoreEvent } from './object-store.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'argosy-store-'));
}
const cm = (name: string, ns = 'default', v = '1') => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { v } });

test('writes survive a reopen with their resourceVersions, and the counter never goes back', async () => {
  const dir = tmp();
  try {
    const a = ObjectStore.open(dir);
    await a.create('configmaps', cm('x')).durable;
    const { stored, durable } = a.create('configmaps', cm('y'));
    await durable;
    await a.remove('configmaps', 'default/x').durable;
    const last = a.latestResourceVersion;
    await a.close();
    const b = ObjectStore.open(dir);
    assert.deepEqual(b.list('configmaps').map((s) => s.obj.metadata.name), ['y']);
    assert.equal(b.get('configmaps', 'default/y')?.rv, stored.rv);
    assert.equal(b.resourceVersion, last, 'the deletion’s resourceVersion is remembered');
    await b.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('after a reopen the counter resumes past every write, whether the newest was a removal or an update', async () => {
  const dir = tmp();
  try {
    const a = ObjectStore.open(dir);
    await a.create('configmaps', cm('x')).durable;
    await a.create('configmaps', cm('y')).durable;
    await a.remove('configmaps', 'default/x').durable;
    // Writes after the last removal: only the objects themselves carry these versions.
    await a.update('configmaps', { ...cm('y', 'default', '2') }).durable;
    await a.create('configmaps', cm('z')).durable;
    const last = a.latestResourceVersion;
    await a.close();
    const b = ObjectStore.open(dir);
    assert.equal(b.resourceVersion, last);
    const next = b.create('configmaps', cm('w'));
    await next.durable;
    assert.equal(next.stored.rv, last + 1, 'no resourceVersion is handed out twice');
    await b.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('watchers see committed changes in order, with a backlog from the requested version and no gap', async () => {
  const dir = tmp();
  const s = ObjectStore.open(dir);
  try {
    await s.create('configmaps', cm('a')).durable;
    const from = s.resourceVersion;
    await s.create('configmaps', cm('b')).durable;
    const live: StoreEvent[] = [];
    const w = s.watch('configmaps', from, (e) => live.push(e));
    assert.deepEqual(w.backlog.map((e) => `${e.type}:${e.key}`), ['ADDED:default/b']);
    const u = s.update('configmaps', { ...cm('b', 'default', '2') });
    await u.durable;
    await s.remove('configmaps', 'default/a').durable;
    assert.deepEqual(live.map((e) => `${e.type}:${e.key}`), ['MODIFIED:default/b', 'DELETED:default/a']);
    assert.ok(live[0].rv < live[1].rv);
    w.stop();
  } finally {
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('listAt reconstructs an earlier snapshot; versions older than history are 410', async () => {
  const dir = tmp();
  const s = ObjectStore.open(dir, { historySize: 8 });
  try {
    await s.create('configmaps', cm('a')).durable;
    await s.create('configmaps', cm('b')).durable;
    const at = s.resourceVersion;
    await s.update('configmaps', cm('a', 'default', 'changed')).durable;
    await s.remove('configmaps', 'default/b').durable;
    await s.create('configmaps', cm('c')).durable;
    const snap = s.listAt('configmaps', at);
    assert.deepEqual(snap.map((x) => `${x.obj.metadata.name}=${(x.obj.data as { v: string }).v}`), ['a=1', 'b=1']);
    for (let i = 0; i < 20; i++) await s.create('configmaps', cm(`f${i}`)).durable;
    assert.throws(() => s.listAt('configmaps', at), (e: { code?: number }) => e.code === 410);
    assert.throws(() => s.watch('configmaps', at, () => undefined), (e: { code?: number }) => e.code === 410);
  } finally {
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('list within a namespace returns only that namespace, in name order', async () => {
  const dir = tmp();
  const s = ObjectStore.open(dir);
  try {
    for (const [n, ns] of [['b', 'x'], ['a', 'x'], ['a', 'xy'], ['z', 'w']]) s.create('configmaps', cm(n, ns));
    await s.durable();
    assert.deepEqual(s.list('configmaps', 'x').map((x) => x.obj.metadata.name), ['a', 'b']);
    assert.equal(s.list('configmaps').length, 4);
  } finally {
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
