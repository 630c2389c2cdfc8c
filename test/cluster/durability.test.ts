/**
 * A write is acknowledged only once durable: SIGKILL the server during a storm of concurrent
 * writes, restart it on the same data, and every acknowledged write must be there, with
 * resourceVersions that never go backwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { ApiClient } from '../support/api-client.js';
import { startClusterProcess, tempDir } from '../support/cluster-process.js';

test('every acknowledged write survives SIGKILL during a write storm, and resourceVersions never go backwards', async () => {
  const dataDir = tempDir('durability');
  try {
    const first = await startClusterProcess(dataDir);
    const api = new ApiClient(first.url, first.token, first.ca);
    const acked = new Map<string, { rv: number; value: string }>();
    let maxAckedRV = 0;
    let stop = false;
    let failures = 0;
    // 8 writers: creates plus updates of their own objects, until the server dies under them.
    const writer = async (w: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const name = `w${w}-${i}`;
        const value = `v-${w}-${i}-${Date.now()}`;
        try {
          const res = await api.post<{ metadata: { resourceVersion: string } }>('/api/v1/namespaces/default/configmaps', { metadata: { name }, data: { value } });
          if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${res.text}`);
          const rv = Number(res.body.metadata.resourceVersion);
          acked.set(name, { rv, value });
          maxAckedRV = Math.max(maxAckedRV, rv);
          if (i > 0 && i % 3 === 0) {
            const prev = `w${w}-${i - 1}`;
            const upd = await api.patch<{ metadata: { resourceVersion: string } }>(`/api/v1/namespaces/default/configmaps/${prev}`, { data: { value: `${value}-upd` } }, 'application/merge-patch+json');
            if (upd.status === 200) {
              const urv = Number(upd.body.metadata.resourceVersion);
              acked.set(prev, { rv: urv, value: `${value}-upd` });
              maxAckedRV = Math.max(maxAckedRV, urv);
            }
          }
        } catch {
          failures++;
          return; // connection refused/reset once the server is killed
        }
      }
    };
    const writers = Array.from({ length: 8 }, (_, w) => writer(w));
    await new Promise((r) => setTimeout(r, 1500));
    const code = await first.stop('SIGKILL');
    stop = true;
    await Promise.all(writers);
    assert.equal(code, null, 'the server was killed by a signal');
    assert.ok(acked.size > 200, `the storm made progress before the kill (${acked.size} acknowledged writes)`);

    const second = await startClusterProcess(dataDir);
    try {
      const api2 = new ApiClient(second.url, second.token, second.ca);
      const list = await api2.get<{ metadata: { resourceVersion: string }; items: { metadata: { name: string; resourceVersion: string }; data: { value: string } }[] }>('/api/v1/namespaces/default/configmaps');
      assert.equal(list.status, 200);
      const found = new Map(list.body.items.map((i) => [i.metadata.name, i]));
      const missing = [...acked.keys()].filter((n) => !found.has(n));
      assert.deepEqual(missing, [], 'no acknowledged create is lost');
      for (const [name, { rv, value }] of acked) {
        const got = found.get(name)!;
        assert.ok(Number(got.metadata.resourceVersion) >= rv, `${name}: stored resourceVersion ${got.metadata.resourceVersion} is not older than the acknowledged ${rv}`);
        if (Number(got.metadata.resourceVersion) === rv) assert.equal(got.data.value, value, `${name} holds the acknowledged value`);
      }
      assert.ok(Number(list.body.metadata.resourceVersion) >= maxAckedRV, 'the list resourceVersion is at least the newest acknowledged one');
      // A new write after restart gets a newer resourceVersion than anything acknowledged before.
      const fresh = await api2.post<{ metadata: { resourceVersion: string } }>('/api/v1/namespaces/default/configmaps', { metadata: { name: 'after-restart' } });
      assert.equal(fresh.status, 201);
      assert.ok(Number(fresh.body.metadata.resourceVersion) > maxAckedRV, 'resourceVersions never go backwards across the crash');
      process.stdout.write(`# durability: ${acked.size} acknowledged writes, ${failures} writers cut off, all present after SIGKILL\n`);
    } finally {
      await second.stop();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
