/**
 * `argosy cluster start` as a user runs it: it prints where it serves and its kubeconfig, serves
 * TLS with the CA it wrote into that kubeconfig, stops cleanly on SIGTERM and SIGINT, and keeps its
 * data across restarts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ApiClient } from '../support/api-client.js';
import { startClusterProcess, tempDir } from '../support/cluster-process.js';

test('cluster start writes a TLS kubeconfig, stops cleanly on SIGTERM/SIGINT and keeps its data', async () => {
  const dataDir = tempDir('cli');
  try {
    const first = await startClusterProcess(dataDir);
    assert.match(first.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(first.output(), new RegExp(`kubeconfig: ${first.kubeconfig.replace(/[.]/g, '\\.')}`));
    const kubeconfig = parse(fs.readFileSync(first.kubeconfig, 'utf8')) as { clusters: { cluster: { server: string; 'certificate-authority-data': string } }[]; users: { user: { token: string } }[] };
    assert.equal(kubeconfig.clusters[0].cluster.server, first.url);
    assert.equal(Buffer.from(kubeconfig.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), first.ca);
    assert.equal(fs.statSync(first.kubeconfig).mode & 0o777, 0o600, 'the kubeconfig holds a token: owner-only');
    assert.equal(fs.statSync(path.join(dataDir, 'tokens.csv')).mode & 0o777, 0o600);
    const api = new ApiClient(first.url, kubeconfig.users[0].user.token, first.ca);
    for (const p of ['/healthz', '/livez', '/readyz']) assert.equal((await api.withToken(undefined).get(p)).text, 'ok', p);
    assert.equal((await api.post('/api/v1/namespaces/default/configmaps', { metadata: { name: 'kept' } })).status, 201);
    assert.equal(await first.stop('SIGTERM'), 0, 'SIGTERM stops with exit code 0');
    assert.match(first.output(), /received SIGTERM, stopping/);

    const second = await startClusterProcess(dataDir);
    const api2 = new ApiClient(second.url, second.token, second.ca);
    assert.equal((await api2.get('/api/v1/namespaces/default/configmaps/kept')).status, 200, 'data survives a restart');
    assert.equal(second.token, first.token, 'the token is kept across restarts');
    assert.equal(await second.stop('SIGINT'), 0, 'SIGINT (Ctrl-C) stops with exit code 0');
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a port in use is a clear error, not a stack trace', async () => {
  const dataDir = tempDir('cli-port');
  const first = await startClusterProcess(dataDir);
  try {
    const port = new URL(first.url).port;
    const { spawnSync } = await import('node:child_process');
    const { REPO_ROOT } = await import('../support/cluster-process.js');
    const res = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src/cli/run.ts'), 'cluster', 'start', '--data-dir', tempDir('cli-port2'), '--port', port], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(res.status, 1);
    assert.match(res.stderr, new RegExp(`argosy: port ${port} on 127\\.0\\.0\\.1 is in use; pick another with --port N`));
  } finally {
    await first.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
